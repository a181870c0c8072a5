// An HTTP server on loopback playing a notification service for the tests: each request is
// handled on arrival by the service's own rules (which may change its state: an alert opened,
// a message posted), unless the test scripted a failure for it first (a 429 with Retry-After,
// a 500: then nothing changes, as at the real service); the answer can be held back, so the
// service has acted while its sender waits (and may die).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as a service sees it. */
export interface ServiceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (undefined when it is not). */
  json: unknown;
}

/** An answer: its status, headers, and body (an object is sent as JSON). */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A service on loopback. */
export interface ServiceReceiver {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Every request in order of arrival, with the status it was answered. */
  log: { request: ServiceRequest; status: number }[];
  /** Answers the next requests with these, in order, before the service's own rules apply again. */
  failNext(...answers: Answer[]): void;
  /** Answers every request with this until called again without one (after the scripted ones). */
  failAll(answer?: Answer): void;
  /** Answers each request this long after it arrived (the service acts on arrival). */
  answerAfter(ms: number): void;
  close(): Promise<void>;
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Starts a service whose rules are `handle`. */
export async function startServiceReceiver(handle: (request: ServiceRequest) => Answer): Promise<ServiceReceiver> {
  const log: ServiceReceiver['log'] = [];
  const scripted: Answer[] = [];
  let failing: Answer | undefined;
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const answering = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: ServiceRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, json: parse(body) };
      const answer = scripted.shift() ?? failing ?? handle(request);
      log.push({ request, status: answer.status });
      const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const type = typeof answer.body === 'object' ? { 'content-type': 'application/json' } : {};
      const timer = setTimeout(() => {
        answering.delete(timer);
        res.writeHead(answer.status, { ...type, ...answer.headers }).end(text);
      }, delayMs);
      answering.add(timer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    failNext: (...answers) => void scripted.push(...answers),
    failAll: (answer) => void (failing = answer),
    answerAfter: (ms) => void (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of answering) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Whether a request has a JSON content type (the services refuse others). */
export const isJson = (request: ServiceRequest) => /^application\/json\b/i.test(String(request.headers['content-type'] ?? ''));
