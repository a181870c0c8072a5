// Receivers of notifications on loopback, for the alerts tests: an HTTP server that records
// every request (a webhook or a Slack incoming webhook; it can answer errors, or go away and
// come back on the same port), and an SMTP server (smtp-server) with TLS from a throwaway CA,
// implicit or by STARTTLS, with a login, recording every message.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createCertificateAuthority } from './certs.js';

/** A request a receiver got. */
export interface ReceivedRequest {
  /** When the request arrived (its headers read), ms since the epoch. */
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** An HTTP receiver on 127.0.0.1. */
export interface HttpReceiver {
  url: string;
  /** Requests answered 2xx, in order of arrival. */
  received: ReceivedRequest[];
  /** Requests answered with an error status (see `failWith`). */
  refused: ReceivedRequest[];
  /** Answer every request with this status (200: accept again). */
  failWith(status: number): void;
  /** Answer each request this long after it arrived (it is recorded on arrival). */
  answerAfter(ms: number): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts an HTTP receiver answering 200 to every POST. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const refused: ReceivedRequest[] = [];
  let status = 200;
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const at = Date.now();
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // recorded as it came
      }
      const answer = status;
      (answer >= 200 && answer < 300 ? received : refused).push({ at, headers: req.headers, body, json });
      setTimeout(() => res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'no'), delayMs);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => (server.off('error', reject), resolve())));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    refused,
    failWith: (code) => void (status = code),
    answerAfter: (ms) => void (delayMs = ms),
    down: stop,
    up: () => listen(port),
    close: stop,
  };
}

/** A message an SMTP receiver accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message. */
  raw: string;
  /** A header's value (first occurrence, unfolded), or undefined. */
  header(name: string): string | undefined;
  /** Whether the session was encrypted when the message came. */
  secure: boolean;
}

/** An SMTP receiver on 127.0.0.1 with TLS. */
export interface SmtpReceiver {
  host: string;
  port: number;
  /** PEM file of the CA that signed its certificate. */
  caFile: string;
  username: string;
  password: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** Starts an SMTP receiver: `implicit` TLS (SMTPS) or `starttls`; it requires a login. */
export async function startSmtpReceiver(mode: 'implicit' | 'starttls'): Promise<SmtpReceiver> {
  const ca = await createCertificateAuthority('sitewatch SMTP test CA');
  const { cert, key } = await ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1', 'localhost'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-smtp-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.cert);
  const username = 'alerts';
  const password = `smtp-${Math.random().toString(36).slice(2)}`;
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: mode === 'implicit',
    key,
    cert,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === username && auth.password === password) return callback(null, { user: username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const unfolded = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim();
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          header,
          secure: session.secure,
        });
        callback();
      });
    },
  });
  // A client that goes away mid-session (a timed-out send, a TLS handshake cut short on a
  // busy machine) is the client's failure, told by what it logs: the receiver goes on.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    caFile,
    username,
    password,
    received,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
