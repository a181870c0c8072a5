/** Codes of the errors this package reports. */
export const schemaErrorCodes = ['ERR_SCHEMA_NOT_JSON', 'ERR_SCHEMA_INVALID', 'ERR_SCHEMA_UNSUPPORTED_VERSION'] as const;

export type SchemaErrorCode = (typeof schemaErrorCodes)[number];

/**
 * A message that is not a valid CheckResult. Never retriable: the same bytes fail the
 * same way, so they belong in a dead-letter topic, not in a retry loop.
 */
export class SchemaError extends Error {
  override name = 'SchemaError';
  readonly retriable = false;

  constructor(
    readonly code: SchemaErrorCode,
    message: string,
    /** JSON Pointer of the offending field, when one is to blame (e.g. `/phases/dnsMs`). */
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True for a SchemaError, also one from another copy of this package. */
export function isSchemaError(error: unknown): error is SchemaError {
  return error instanceof Error && typeof (error as SchemaError).code === 'string' && (error as SchemaError).code.startsWith('ERR_SCHEMA_');
}
