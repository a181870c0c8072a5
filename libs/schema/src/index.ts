export { backoffDefaults, backoffDelay, backoffProblems, backoffSchema, sleep, type Backoff, type BackoffOptions } from './lib/backoff.js';
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
export { decode, encode, maxMessageBytes, schemaVersionHeader, validateCheckResult, type Decoded, type DecodeResult } from './lib/codec.js';
export {
  formatProblems,
  isSitewatchError,
  SchemaError,
  schemaErrorCodes,
  SitewatchError,
  type Problem,
  type SchemaErrorCode,
  type SitewatchErrorOptions,
} from './lib/errors.js';
export { noopLogger, type LogFn, type Logger } from './lib/logger.js';
export { createQueue, type Queue } from './lib/queue.js';
export { hasRetriableFlag, retry, type RetryOptions } from './lib/retry.js';
export { compileOptions, isPem, pointer, readPemFile, relocateProblems, whenPresent, type JsonSchema, type SecretValue, type Validation } from './lib/validation.js';
export { targetSchemaVersion, type CheckMethod, type HeaderCondition, type JsonCondition, type JsonScalar, type Target, type TargetSettings } from './lib/target.js';
export { headerConditionSchema, jsonConditionSchema, statusRangePattern, targetRecordSchema, targetSchema, targetSettingsSchema } from './lib/target.schema.js';
export { decodeTarget, encodeTarget } from './lib/target-codec.js';
