export {
  failureReasons,
  newCheckId,
  schemaVersion,
  type CheckPhases,
  type CheckResult,
  type FailureReason,
  type RegexResult,
} from './lib/check-result.js';
export { checkResultSchema } from './lib/check-result.schema.js';
export { decode, encode, maxMessageBytes, schemaVersionHeader, validateCheckResult, type DecodeResult } from './lib/codec.js';
export { isSchemaError, SchemaError, schemaErrorCodes, type SchemaErrorCode } from './lib/errors.js';
export { noopLogger, type LogFn, type Logger } from './lib/logger.js';
