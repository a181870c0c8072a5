// A local JSON API for the tests of conditions on the answer: its health endpoint answers
// what the test last set (`answer()`), so a test flips it from {"status":"UP"} to
// {"status":"DOWN"} between two checks; and a JSON body of any size. HTTP on 127.0.0.1, port 0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `/health` answers. */
export interface ApiAnswer {
  /** The body: text as it is, anything else as JSON. */
  body: unknown;
  /** Response headers; an array sends the header once per value. Default `content-type: application/json`. */
  headers?: http.OutgoingHttpHeaders;
  /** Default 200. */
  status?: number;
}

/** The API, and how to change its answer. */
export interface JsonApi {
  /** Base URL, no trailing slash: `/health` answers the current answer, `/big?bytes=N` a JSON body of exactly N bytes (N ≥ 30). */
  url: string;
  /** Sets what `/health` answers from the next request on. */
  answer(answer: ApiAnswer): void;
  /** Requests served so far. */
  requests(): number;
  close(): Promise<void>;
}

/** `{"status":"UP","pad":"xx…x"}`, exactly `bytes` bytes long. */
export function paddedJson(bytes: number): Buffer {
  const frame = '{"status":"UP","pad":""}';
  return Buffer.from(`${frame.slice(0, -2)}${'x'.repeat(bytes - frame.length)}"}`);
}

/** Starts the API, answering `{"status":"UP"}` until told otherwise; close() it after the tests. */
export async function startJsonApi(): Promise<JsonApi> {
  let current: ApiAnswer = { body: { status: 'UP' } };
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(paddedJson(Number(url.searchParams.get('bytes'))));
    if (url.pathname !== '/health') return void res.writeHead(404).end('not found');
    const { body, headers = { 'content-type': 'application/json' }, status = 200 } = current;
    res.writeHead(status, headers).end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer: (answer) => void (current = answer),
    requests: () => requests,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}
