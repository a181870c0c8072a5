// The publisher's buffer on disk (option `spool`): the same contract as the memory buffer
// (send-buffer.ts), kept in a segment log (spool-log.ts). Every result is appended to the log
// when it is published, before anything else happens to it, and leaves it only once the
// broker has it; so a process killed at any moment (during a broker outage or not) loses
// nothing it recorded, and the next start sends what it left, first. Beyond `maxBytes` the
// oldest waiting results are dropped, a segment at a time, and counted. One process per
// directory: a lock file names the holder, and a holder that still runs is refused.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@sitewatch/schema';
import { TransportError } from './errors.js';
import { currentIdentity, fateOf, parseIdentity } from './process-identity.js';
import { createFlushWaiters, type BufferEntry, type SendBuffer } from './send-buffer.js';
import { openSegmentLog, type ReadEntry, type SegmentLog } from './spool-log.js';
import type { SpoolSettings } from './spool-options.js';
import { writeFileAtomically } from './state-directory.js';

/** The spool's figures, for metrics. */
export interface SpoolStats {
  /** Bytes of the log on disk. */
  bytes: number;
  /** Results on disk not yet acknowledged by the broker. */
  results: number;
  /** Age of the oldest of them, in milliseconds (0 when there is none). */
  oldestAgeMs: number;
  /** Results a previous run left that were sent since the start. */
  replayed: number;
  /** Bytes cut from torn or damaged segment tails (at the start, or found damaged later). */
  cutBytes: number;
  /** Torn or damaged tails cut. */
  cuts: number;
  /** Results dropped because the log was full, or could not be written. */
  dropped: number;
}

/** A SendBuffer on disk; clear() keeps what is left for the next start. */
export interface SpoolBuffer extends SendBuffer {
  stats(): SpoolStats;
}

/** Segments are an eighth of the bound (so a drop takes an eighth), within these limits. */
const segmentLimits = { min: 64 * 1024, max: 64 * 1024 * 1024 };

function takeLock(directory: string): string {
  const file = path.join(directory, 'lock');
  let holder;
  try {
    holder = parseIdentity(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    // no lock, or not one of ours: free
  }
  const fate = holder && fateOf(holder);
  if (holder && (fate === 'running' || fate === 'self')) {
    throw new TransportError('ERR_TRANSPORT_IN_USE', `the spool ${directory} is in use by process ${holder.pid}, which still runs on this host: give each producer its own directory`, { retriable: false });
  }
  writeFileAtomically(file, JSON.stringify(currentIdentity()));
  return file;
}

/** Flushes the log to the disk as `settings.fsync` says; one fsync at a time, in order with the closing of rolled segments. */
function createSyncer(settings: SpoolSettings, log: Logger) {
  let fd = -1;
  let dirty = false;
  let queued = false;
  let closed = false;
  let chain = Promise.resolve();
  const fsync = (target: number) =>
    new Promise<void>((resolve) => fs.fsync(target, (err) => (err && !closed && log.warn({ err }, 'flushing the spool to disk failed'), resolve())));
  function sync(): void {
    if (!dirty || queued || closed) return;
    queued = true;
    const target = fd;
    chain = chain.then(() => {
      queued = false;
      dirty = false;
      return closed ? undefined : fsync(target);
    });
  }
  const timer = settings.fsync === 'interval' ? setInterval(sync, settings.fsyncIntervalMs).unref() : undefined;
  return {
    /** The file being written. */
    get fd(): number {
      return fd;
    },
    wrote(): void {
      dirty = true;
      if (settings.fsync === 'batch' && !queued) setImmediate(sync);
    },
    /** From now on the log is written to `next`; the previous file is flushed and closed. */
    use(next: number): void {
      const previous = fd;
      fd = next;
      if (previous >= 0) chain = chain.then(() => fsync(previous)).then(() => fs.close(previous, () => undefined));
    },
    close(): void {
      clearInterval(timer);
      closed = true;
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    },
  };
}

/** Opens (or creates) the spool in `settings.directory`, recovering what a previous run left; throws ERR_TRANSPORT_IN_USE or ERR_TRANSPORT_SPOOL. */
export function openSpool(settings: SpoolSettings, logger: Logger): SpoolBuffer {
  const log = logger.child({ component: 'spool', directory: settings.directory });
  const segmentBytes = Math.min(segmentLimits.max, Math.max(segmentLimits.min, Math.floor(settings.maxBytes / 8)));
  let lock: string | undefined;
  let segments: SegmentLog;
  const syncer = createSyncer(settings, log);
  try {
    fs.mkdirSync(settings.directory, { recursive: true });
    lock = takeLock(settings.directory);
    segments = openSegmentLog(settings.directory, segmentBytes, log);
    syncer.use(fs.openSync(segments.roll(), 'a'));
  } catch (error) {
    if (lock) fs.rmSync(lock, { force: true });
    if ((error as { code?: string }).code === 'ERR_TRANSPORT_IN_USE') throw error;
    throw new TransportError('ERR_TRANSPORT_SPOOL', `cannot open the spool in ${settings.directory}: ${(error as Error).message}`, { cause: error });
  }
  const { recovery } = segments;
  const lockFile = lock;
  // What the previous run left ends here: each of those sent counts as replayed.
  const recoveredUpTo = segments.nextSeq;
  const counters = { replayed: 0, dropped: 0 };
  let inFlight: ReadEntry[] = [];
  let writeFailures = 0;
  let final: SpoolStats | undefined;
  if (recovery.pending > 0) log.info({ results: recovery.pending, bytes: segments.bytes, cuts: recovery.cuts }, 'the spool holds results of a previous run: sending them first');

  const waiters = createFlushWaiters(() => inFlight[0]?.seq ?? (segments.unread > 0 ? segments.readSeq : Number.POSITIVE_INFINITY));

  function acknowledge(): void {
    try {
      segments.acknowledge(inFlight[0]?.seq ?? segments.readSeq);
    } catch (err) {
      log.warn({ err }, 'recording sent results in the spool failed: a restart may send them again');
    }
    waiters.wake();
  }

  /** Beyond the bound: drops whole oldest segments (their unread results), never the one being written. */
  function enforceBound(): number {
    let dropped = 0;
    while (segments.bytes > settings.maxBytes && segments.segments.length > 1) dropped += segments.dropOldest();
    if (dropped > 0) acknowledge();
    return dropped;
  }

  function append(entry: BufferEntry): void {
    const record = segments.encode({ ...entry, appendedAt: Date.now() });
    const { bytes: before } = segments.segments.at(-1)!;
    // A short write leaves a torn record: the segment is given up (the next start cuts it there).
    if (fs.writeSync(syncer.fd, record) !== record.length) throw new Error('short write to the spool');
    segments.appended(record.length);
    syncer.wrote();
    if (before + record.length >= segmentBytes) syncer.use(fs.openSync(segments.roll(), 'a'));
  }

  return {
    get size() {
      return segments.unread + inFlight.length;
    },
    get waiting() {
      return segments.unread;
    },
    get inFlight() {
      return inFlight.length;
    },
    get flushRequested() {
      return waiters.waiting;
    },
    push(entry) {
      try {
        append(entry);
      } catch (err) {
        // The disk is full or failing: the result is lost, counted; a new segment may work again.
        counters.dropped += 1;
        if (writeFailures++ % 1000 === 0) log.error({ err, failures: writeFailures }, 'cannot write to the spool: results are dropped');
        try {
          syncer.use(fs.openSync(segments.roll(), 'a'));
        } catch {
          // still failing: the next push tries again
        }
        return 1;
      }
      const dropped = enforceBound();
      counters.dropped += dropped;
      return dropped;
    },
    next(limit, batchSize) {
      if (inFlight.length === 0) inFlight = segments.read(batchSize);
      return inFlight.slice(0, limit);
    },
    settle(count) {
      for (const entry of inFlight.splice(0, count)) if (entry.seq < recoveredUpTo) counters.replayed += 1;
      acknowledge();
    },
    whenSent() {
      return waiters.until(segments.nextSeq - 1);
    },
    clear(error) {
      waiters.rejectAll(error);
      final = this.stats();
      const kept = final.results;
      inFlight = [];
      syncer.close();
      segments.close();
      fs.rmSync(lockFile, { force: true });
      if (kept > 0) log.info({ results: kept, bytes: segments.bytes }, 'results kept in the spool for the next start');
      return 0;
    },
    stats() {
      if (final) return final;
      const oldest = inFlight[0] ?? segments.peek();
      return {
        bytes: segments.bytes,
        results: segments.unread + inFlight.length,
        oldestAgeMs: oldest ? Math.max(0, Date.now() - oldest.appendedAt) : 0,
        replayed: counters.replayed,
        cutBytes: recovery.cutBytes,
        cuts: recovery.cuts,
        dropped: counters.dropped,
      };
    },
  };
}
