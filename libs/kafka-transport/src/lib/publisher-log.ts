// What the publisher says about outages and drops: once when one starts, again every
// `repeatMs` while it lasts, and once when it ends, never once per message or attempt.
import type { Logger } from '@sitewatch/schema';
import type { TransportError } from './errors.js';

/** The publisher's numbers at the time of a log line. */
export interface PublisherState {
  buffered: number;
  dropped: number;
}

/** See the module comment. */
export interface PublisherLog {
  /** True between a failed send and the next successful one. */
  readonly inOutage: boolean;
  /** A send (or connection) attempt failed. */
  failed(error: TransportError, state: PublisherState): void;
  /** A send succeeded: ends an outage and reports drops not yet logged. */
  sent(state: PublisherState): void;
  /** `count` results were dropped for lack of room. */
  dropped(count: number, state: PublisherState): void;
  /** Reports drops not yet logged. */
  flushDrops(state: PublisherState): void;
}

/** A PublisherLog writing to `log`; `now` is for tests. */
export function createPublisherLog(log: Logger, repeatMs = 30_000, now: () => number = Date.now): PublisherLog {
  let outage: { since: number; loggedAt: number; failures: number } | undefined;
  let drops = { unlogged: 0, loggedAt: Number.NEGATIVE_INFINITY };

  function flushDrops(state: PublisherState, force: boolean): void {
    const at = now();
    if (drops.unlogged === 0 || (!force && at - drops.loggedAt < repeatMs)) return;
    log.error({ dropped: drops.unlogged, droppedTotal: state.dropped, buffered: state.buffered }, 'dropped results: the buffer is full');
    drops = { unlogged: 0, loggedAt: at };
  }

  return {
    get inOutage() {
      return outage !== undefined;
    },
    failed(error, state) {
      const at = now();
      if (!outage) {
        outage = { since: at, loggedAt: at, failures: 1 };
        log.warn({ err: error, code: error.code, buffered: state.buffered }, 'cannot publish to Kafka; buffering and retrying');
        return;
      }
      outage.failures += 1;
      if (at - outage.loggedAt < repeatMs) return;
      outage.loggedAt = at;
      log.warn({ code: error.code, outageMs: at - outage.since, failedAttempts: outage.failures, ...state }, 'still cannot publish to Kafka');
    },
    sent(state) {
      if (outage) log.info({ outageMs: now() - outage.since, failedAttempts: outage.failures, buffered: state.buffered }, 'publishing resumed');
      outage = undefined;
      flushDrops(state, true);
    },
    dropped(count, state) {
      drops.unlogged += count;
      flushDrops(state, false);
    },
    flushDrops: (state) => flushDrops(state, true),
  };
}
