// The publisher's bounded buffer: results waiting to be sent, and the batch being sent. The
// batch in flight is kept as it is until the broker has it (a retry sends the same records,
// so the idempotent producer can recognise a duplicate); beyond the bound, the oldest
// *waiting* result is dropped, because the newest data is the most useful.
import { createQueue } from '@sitewatch/schema';

/** One encoded result. */
export interface BufferEntry {
  key: string;
  value: Buffer;
}

interface Numbered extends BufferEntry {
  seq: number;
}

/** See the module comment. */
export interface SendBuffer {
  /** Entries waiting plus entries in flight. */
  readonly size: number;
  /** Entries waiting (not yet in a batch). */
  readonly waiting: number;
  /** Entries in the batch being sent. */
  readonly inFlight: number;
  /** True while someone waits in whenSent(). */
  readonly flushRequested: boolean;
  /** Adds an entry; returns how many entries the bound made it drop (0 or 1). */
  push(entry: BufferEntry): number;
  /** The next records to send: the first `limit` of the batch in flight, which is refilled with up to `batchSize` waiting entries when empty. */
  next(limit: number, batchSize: number): BufferEntry[];
  /** Removes the first `count` entries of the batch in flight (sent, or dropped for good). */
  settle(count: number): void;
  /** Resolves once every entry pushed before the call has left the buffer. */
  whenSent(): Promise<void>;
  /** Empties the buffer, rejecting whoever waits with `error`; returns how many entries were lost (a spool keeps them for the next start). */
  clear(error: Error): number;
}

/**
 * Who waits in whenSent(), for a buffer whose entries are numbered in order: each waits for
 * the number of the last entry pushed before it asked, and is woken once the oldest entry
 * left (`oldest()`) is newer.
 */
export function createFlushWaiters(oldest: () => number) {
  const waiters: { seq: number; resolve(): void; reject(error: Error): void }[] = [];
  return {
    get waiting(): boolean {
      return waiters.length > 0;
    },
    /** Resolves once every entry up to `seq` has left. */
    until(seq: number): Promise<void> {
      if (oldest() > seq) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ seq, resolve, reject }));
    },
    /** Resolves those whose entries have all left (call after entries leave). */
    wake(): void {
      const first = oldest();
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.seq < first) waiters.splice(i, 1)[0]!.resolve();
    },
    rejectAll(error: Error): void {
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    },
  };
}

/** A buffer holding at most `capacity` entries. */
export function createSendBuffer(capacity: number): SendBuffer {
  const queue = createQueue<Numbered>();
  let inFlight: Numbered[] = [];
  let lastSeq = 0;
  const waiters = createFlushWaiters(() => inFlight[0]?.seq ?? queue.peek()?.seq ?? Number.POSITIVE_INFINITY);

  return {
    get size() {
      return queue.length + inFlight.length;
    },
    get waiting() {
      return queue.length;
    },
    get inFlight() {
      return inFlight.length;
    },
    get flushRequested() {
      return waiters.waiting;
    },
    push(entry) {
      let dropped = 0;
      if (queue.length + inFlight.length >= capacity) {
        dropped = 1;
        // Nothing waiting means the batch in flight fills the buffer: the newcomer goes.
        if (queue.shift() === undefined) return dropped;
        waiters.wake();
      }
      queue.push({ ...entry, seq: ++lastSeq });
      return dropped;
    },
    next(limit, batchSize) {
      if (inFlight.length === 0) inFlight = queue.take(batchSize);
      return inFlight.slice(0, limit);
    },
    settle(count) {
      inFlight = inFlight.slice(count);
      waiters.wake();
    },
    whenSent() {
      return waiters.until(lastSeq);
    },
    clear(error) {
      const count = queue.length + inFlight.length;
      queue.drain();
      inFlight = [];
      waiters.rejectAll(error);
      return count;
    },
  };
}
