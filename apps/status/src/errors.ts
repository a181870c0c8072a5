// Every failure of a request as one JSON shape, `{ "error": { "code", "message", "problems"? } }`,
// whoever refuses it: a route, validation, the 404 handler, the router (a malformed
// percent-escape, an over-long path segment: fastify's frameworkErrors) or Node's HTTP parser
// (a request that is not HTTP). 4xx say what was wrong; 5xx hold no internal detail (no SQL,
// no stack): the cause goes to the log.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { isSitewatchError, type Logger, type Problem } from '@sitewatch/schema';
import { statusErrorCodes } from '@sitewatch/status';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { jsonHeaders } from './headers.js';

/** The codes of the API's errors. */
export const apiErrorCodes = ['ERR_STATUS_BAD_REQUEST', 'ERR_STATUS_NOT_FOUND', 'ERR_STATUS_UNKNOWN_TARGET', 'ERR_STATUS_METHOD_NOT_ALLOWED', 'ERR_STATUS_UNAVAILABLE', 'ERR_STATUS_INTERNAL'] as const;

/** One of `apiErrorCodes`. */
export type ApiErrorCode = (typeof apiErrorCodes)[number];

/** An answer's error body. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; problems?: Problem[] };
}

/** Longest path segment the router takes, in UTF-16 units (a target id is at most 128 characters). */
export const maxParamLength = 500;

/** A request's own mistake, answered with `status`. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
  }
}

/** `text` cut to `n` characters, never inside a surrogate pair. */
const cut = (text: string, n: number) => [...text].slice(0, n).join('');

/** The 404 of a target the page does not show. */
export function unknownTarget(id: string): RequestError {
  return new RequestError(404, 'ERR_STATUS_UNKNOWN_TARGET', `no target ${JSON.stringify(cut(id, 100))} is shown here`);
}

function body(code: ApiErrorCode, message: string, problems?: Problem[]): ErrorBody {
  return { error: { code, message, ...(problems && problems.length > 0 ? { problems } : {}) } };
}

// The router's refusals, in our words: fastify's messages repeat the whole path.
const routerErrors: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the path holds a malformed percent-escape',
  FST_ERR_MAX_PARAM_LENGTH: `a path segment is longer than ${maxParamLength} characters`,
};

/** fastify's error handler (and its frameworkErrors): maps an error to its status and JSON body. */
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
      return reply.status(error.statusCode).send(body('ERR_STATUS_BAD_REQUEST', routerErrors[error.code] ?? error.message));
    }
    log.error({ err: error, url: request.url }, 'request failed');
    return reply.status(500).send(body('ERR_STATUS_INTERNAL', 'internal error'));
  };
}

/** fastify's 404 handler: a path no route serves is a 404; a method other than GET or HEAD (the service is read-only) a 405. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return reply.status(405).header('allow', 'GET, HEAD').send(body('ERR_STATUS_METHOD_NOT_ALLOWED', `${cut(request.method, 20)} is not allowed: this service answers GET and HEAD only`));
  }
  return reply.status(404).send(body('ERR_STATUS_NOT_FOUND', `no such page: ${request.method} ${cut(request.url.split('?')[0]!, 200)}`));
}

/**
 * The HTTP server's clientError handler: a request Node cannot parse (not HTTP, headers too
 * large) never reaches fastify, so its answer is written to the socket here, in the same shape
 * and with the same headers as any JSON error.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'the request headers are too large'] : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'the request took too long to arrive'] : [400, 'the request is not valid HTTP'];
  const text = JSON.stringify(body('ERR_STATUS_BAD_REQUEST', message));
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close', ...jsonHeaders };
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${text}`);
}
