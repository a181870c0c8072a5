// Every failure of a request as a JSON error: 4xx with what was wrong, 5xx with no internal
// detail (no SQL, no stack); the cause goes to the log.
import { isSitewatchError, type Logger, type Problem } from '@sitewatch/schema';
import { statusErrorCodes } from '@sitewatch/status';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An answer's error body. */
export interface ErrorBody {
  error: { code: string; message: string; problems?: Problem[] };
}

/** A request's own mistake, answered with `status`. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
  }
}

/** The 404 of a target the page does not show. */
export function unknownTarget(id: string): RequestError {
  return new RequestError(404, 'ERR_STATUS_UNKNOWN_TARGET', `no target ${JSON.stringify(id.slice(0, 100))} is shown here`);
}

function body(code: string, message: string, problems?: Problem[]): ErrorBody {
  return { error: { code, message, ...(problems && problems.length > 0 ? { problems } : {}) } };
}

/** fastify's error handler: maps an error to its status and JSON body. */
export function errorHandler(log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof RequestError) return reply.status(error.status).send(body(error.code, error.message, error.problems));
    if (error.validation) {
      const where = error.validationContext ?? 'request';
      const problems = error.validation.map((v) => ({ path: `/${where}${v.instancePath || (v.params && 'missingProperty' in v.params ? `/${String(v.params.missingProperty)}` : '')}`, message: v.message ?? 'is invalid' }));
      return reply.status(400).send(body('ERR_STATUS_BAD_REQUEST', `invalid ${where}`, problems));
    }
    if (isSitewatchError(error, statusErrorCodes) && error.code === 'ERR_STATUS_INVALID_QUERY') {
      return reply.status(400).send(body('ERR_STATUS_BAD_REQUEST', error.message.split('\n')[0]!.replace(/:$/, ''), [...error.problems]));
    }
    if (isSitewatchError(error, statusErrorCodes) && error.code === 'ERR_STATUS_QUERY') {
      log.warn({ err: error, url: request.url }, 'request failed: database');
      return reply.status(503).send(body('ERR_STATUS_UNAVAILABLE', 'the data is unavailable right now; try again shortly'));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // fastify's own 4xx (a body too large, a bad content type): its message names no internals.
      return reply.status(error.statusCode).send(body('ERR_STATUS_BAD_REQUEST', error.message));
    }
    log.error({ err: error, url: request.url }, 'request failed');
    return reply.status(500).send(body('ERR_STATUS_INTERNAL', 'internal error'));
  };
}
