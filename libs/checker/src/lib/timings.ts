// Phase timings on the monotonic clock, with sub-millisecond resolution, from the socket and
// request events of each hop (the first request and every redirect).
import type { ClientRequest } from 'node:http';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { CheckPhases } from '@sitewatch/schema';

/** Where a check was when it ended: the phase a timeout or an error happened in. */
export type CheckStage = 'dns' | 'connect' | 'tls' | 'response' | 'download';

interface Hop {
  https: boolean;
  ipHost: boolean;
  socket?: number;
  lookup?: number;
  connect?: number;
  secure?: number;
  upload?: number;
  response?: number;
}

/** Records the phase times of every hop of one check. */
export interface PhaseRecorder {
  /** Starts recording a request (one per hop). */
  track(request: ClientRequest): void;
  /** Sum of each phase over the hops; `downloadMs` is the final response's, up to `endAt`. */
  phases(endAt: number): CheckPhases;
  /** The phase the last hop was in. */
  stage(): CheckStage;
  /** notAfter of the certificate of the last TLS connection, ISO 8601. */
  tlsNotAfter(): string | undefined;
}

const round = (ms: number) => Math.round(Math.max(ms, 0) * 1000) / 1000;

/** notAfter of the peer certificate of a connected TLS socket, ISO 8601. */
export function certificateExpiry(socket: TLSSocket): string | undefined {
  const validTo = socket.getPeerCertificate()?.valid_to;
  const time = validTo ? Date.parse(validTo) : Number.NaN;
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** A recorder reading `performance.now()`. */
export function createPhaseRecorder(): PhaseRecorder {
  const hops: Hop[] = [];
  let notAfter: string | undefined;

  function track(request: ClientRequest): void {
    const hop: Hop = { https: request.protocol === 'https:', ipHost: isIP(request.host.replace(/^\[|\]$/g, '')) !== 0 };
    hops.push(hop);
    notAfter = undefined;
    // `on`, not `once`: each event fires once per request or socket anyway, and the wrappers
    // of `once` cost measurable CPU at thousands of checks per second.
    request.on('socket', (socket) => {
      hop.socket = performance.now();
      socket.on('lookup', (error: Error | null) => {
        if (!error) hop.lookup = performance.now();
      });
      socket.on('connect', () => (hop.connect = performance.now()));
      socket.on('secureConnect', () => {
        hop.secure = performance.now();
        notAfter = certificateExpiry(socket as TLSSocket);
      });
    });
    request.on('finish', () => (hop.upload = performance.now()));
    request.on('response', () => (hop.response = performance.now()));
  }

  function phases(endAt: number): CheckPhases {
    const sums: Required<CheckPhases> = { dnsMs: 0, tcpMs: 0, tlsMs: 0, ttfbMs: 0, downloadMs: 0 };
    const seen = new Set<keyof CheckPhases>();
    const add = (key: keyof CheckPhases, from: number | undefined, to: number | undefined) => {
      if (from === undefined || to === undefined) return;
      sums[key] += to - from;
      seen.add(key);
    };
    for (const hop of hops) {
      add('dnsMs', hop.socket, hop.lookup);
      add('tcpMs', hop.lookup ?? hop.socket, hop.connect);
      add('tlsMs', hop.connect, hop.secure);
      // The request may be flushed into the socket before it connects: count from whichever is later.
      const sent = hop.connect === undefined ? undefined : Math.max(hop.upload ?? 0, hop.secure ?? hop.connect);
      add('ttfbMs', sent, hop.response);
    }
    add('downloadMs', hops.at(-1)?.response, endAt);
    return Object.fromEntries([...seen].map((key) => [key, round(sums[key])]));
  }

  function stage(): CheckStage {
    const hop = hops.at(-1);
    if (!hop || hop.connect === undefined) return hop && (hop.ipHost || hop.lookup !== undefined) ? 'connect' : 'dns';
    if (hop.https && hop.secure === undefined) return 'tls';
    return hop.response === undefined ? 'response' : 'download';
  }

  return { track, phases, stage, tlsNotAfter: () => notAfter };
}
