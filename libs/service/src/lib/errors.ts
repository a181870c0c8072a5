import { SitewatchError } from '@sitewatch/schema';

/** Codes of the errors this package reports. */
export const serviceErrorCodes = [
  /** The config file cannot be used: every problem in `problems`, by JSON Pointer into the file (e.g. `/kafka/sasl`). */
  'ERR_SERVICE_CONFIG',
] as const;

/** One of `serviceErrorCodes`. */
export type ServiceErrorCode = (typeof serviceErrorCodes)[number];

/** An error of the service runtime. None is retriable. */
export class ServiceError extends SitewatchError<ServiceErrorCode> {}
