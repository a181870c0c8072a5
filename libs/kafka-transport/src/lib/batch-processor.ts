// One batch of one partition, from bytes to "stored, commit it": decode every message,
// dead-letter the invalid ones, hand the valid ones to the caller, retry what failed for a
// passing reason, and isolate (then dead-letter) results the caller can never store.
// Kafka is out of the picture here: the subscriber passes in functions, the tests fakes.
import { decode, hasRetriableFlag, retry, schemaVersion, schemaVersionHeader, sleep, type Backoff, type CheckResult, type DecodeResult, type Logger } from '@sitewatch/schema';
import { deadLetterOf, handlerFailure, integerHeader, type DeadLetter, type DeadLetterReason, type RawMessage } from './dead-letter.js';

/** What a batch handler is told besides the results. */
export interface BatchContext {
  /** Topic the results were read from. */
  topic: string;
  /** Partition they were read from (all results of one target come from one partition). */
  partition: number;
  /** Offset of the first result's message (a decimal string: Kafka offsets are 64-bit). */
  firstOffset: string;
  /** Offset of the last result's message. */
  lastOffset: string;
  /** 0 on the first call with these results, 1 on the first retry, and so on. */
  attempt: number;
  /** Aborts when close() stops waiting for this call; the results will then be delivered again. */
  signal: AbortSignal;
}

/**
 * Stores a batch of results, all or nothing (one transaction), idempotently (a result can
 * come again after a crash or a rebalance). Throw an error with `retriable: true` for a
 * passing failure (the same results come again after a delay); any other error means some
 * result can never be stored, and those are isolated and dead-lettered.
 */
export type BatchHandler = (results: CheckResult[], context: BatchContext) => Promise<void>;

/** Counters the processor updates. */
export interface BatchCounters {
  results: number;
  deadLettered: number;
  retries: number;
}

/** What processBatch needs from the subscriber. */
export interface BatchDeps {
  handleBatch: BatchHandler;
  /** Sends dead letters and resolves when the broker has them. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Tells the group coordinator this member is alive; throws when the group rebalances. */
  heartbeat(): Promise<void>;
  /** Aborts when the subscriber is closing: stop retrying, do not commit. */
  closing: AbortSignal;
  /** Aborts when close() stops waiting for the handler. */
  abandon: AbortSignal;
  retry: Backoff;
  heartbeatIntervalMs: number;
  log: Logger;
  counters: BatchCounters;
}

/** A partition's batch of messages. */
export interface BatchInput {
  topic: string;
  partition: number;
  messages: RawMessage[];
}

interface Item {
  result: CheckResult;
  message: RawMessage;
}

/** A batch the subscriber stopped waiting for (it closes): delivered again later, never a failure. */
class Abandoned extends Error {}
const abandoned = new Abandoned('the subscriber stopped waiting for this batch');
type Outcome = 'stored' | Abandoned;

/** Decodes a message; a version header newer than ours rejects it without parsing. */
export function decodeMessage(message: RawMessage): DecodeResult | { ok: false; error: DeadLetterReason } {
  const version = integerHeader(message.headers, schemaVersionHeader);
  if (version !== undefined && version > schemaVersion) {
    const text = `schema version ${version} (header ${schemaVersionHeader}) is newer than the supported ${schemaVersion}; upgrade this reader`;
    return { ok: false, error: { code: 'ERR_SCHEMA_UNSUPPORTED_VERSION', message: text } };
  }
  return decode(message.value);
}

/** Rejects with `abandoned` when `signal` aborts first; a late rejection of `work` is ignored. */
function unlessAbandoned<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abandoned);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abandoned);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits `ms` while heartbeating; a rebalance (heartbeat error) ends the batch. */
async function pause(ms: number, deps: BatchDeps): Promise<void> {
  const end = Date.now() + ms;
  while (!deps.closing.aborted && Date.now() < end) {
    await sleep(Math.min(end - Date.now(), deps.heartbeatIntervalMs), deps.closing);
    if (!deps.closing.aborted) await deps.heartbeat();
  }
}

/**
 * Runs `work` until it succeeds, retrying retriable errors (all errors with `retryAll`)
 * with backoff, heartbeating while it waits. Returns the non-retriable error, or `abandoned`
 * when the subscriber closes first; throws when the group rebalances during a wait.
 */
function withRetries(what: string, work: (attempt: number) => Promise<void>, deps: BatchDeps, retryAll = false): Promise<Outcome | { error: unknown }> {
  // Only a retriable failure leaves the step as an error: retry() then waits (a heartbeat
  // failure there ends it) and calls the step again, which first looks whether to go on.
  const step = async (attempt: number): Promise<Outcome | { error: unknown }> => {
    if (attempt > 0 && deps.closing.aborted) return abandoned;
    try {
      await unlessAbandoned(work(attempt), deps.abandon);
      return 'stored';
    } catch (error) {
      if (error instanceof Abandoned) return abandoned;
      if (!retryAll && !hasRetriableFlag(error)) return { error };
      if (deps.closing.aborted) return abandoned;
      throw error;
    }
  };
  return retry(step, {
    backoff: deps.retry,
    isRetriable: () => true,
    onRetry: (error, attempt, delayMs) => {
      deps.counters.retries += 1;
      deps.log.warn({ err: error, operation: what, attempt: attempt + 1, delayMs }, 'retrying after a failure');
    },
    wait: (delayMs) => pause(delayMs, deps),
  });
}

/** Heartbeats while a long handler call runs, so the group does not evict this member. */
function keepAlive(deps: BatchDeps): () => void {
  const timer = setInterval(() => void deps.heartbeat().catch(() => undefined), deps.heartbeatIntervalMs);
  return () => clearInterval(timer);
}

async function deadLetter(letters: DeadLetter[], deps: BatchDeps): Promise<Outcome> {
  // A dead letter that cannot be written is not dropped: the consumer waits at this offset
  // (logging errors, lag growing) until the dead-letter topic takes it or close() is called.
  const outcome = await withRetries('sending to the dead-letter topic', () => deps.deadLetter(letters), deps, true);
  if (outcome !== 'stored') return abandoned;
  deps.counters.deadLettered += letters.length;
  return 'stored';
}

async function store(items: Item[], input: BatchInput, deps: BatchDeps): Promise<Outcome> {
  const results = items.map((item) => item.result);
  const context = { topic: input.topic, partition: input.partition, firstOffset: items[0]!.message.offset, lastOffset: items.at(-1)!.message.offset };
  const stopKeepAlive = keepAlive(deps);
  let outcome: Awaited<ReturnType<typeof withRetries>>;
  try {
    outcome = await withRetries('storing a batch', (attempt) => deps.handleBatch(results, { ...context, attempt, signal: deps.abandon }), deps);
  } finally {
    stopKeepAlive();
  }
  if (outcome === 'stored') {
    deps.counters.results += items.length;
    return 'stored';
  }
  if (outcome instanceof Abandoned) return abandoned;
  if (items.length === 1) {
    const reason = handlerFailure(outcome.error);
    deps.log.error({ err: outcome.error, code: reason.code, targetId: items[0]!.result.targetId, offset: items[0]!.message.offset }, 'a result cannot be stored; dead-lettering it');
    return deadLetter([deadLetterOf(items[0]!.message, input.topic, input.partition, reason)], deps);
  }
  // Some result cannot be stored: halve until it is found (log2(n) calls per bad result),
  // storing the rest in order.
  const middle = Math.ceil(items.length / 2);
  if ((await store(items.slice(0, middle), input, deps)) === abandoned) return abandoned;
  return store(items.slice(middle), input, deps);
}

/**
 * Processes one batch; resolves true when every message is stored or dead-lettered (the
 * offsets may be committed), false when the subscriber is closing first (they may not).
 * Throws when the group rebalances during a retry (the batch will come again).
 */
export async function processBatch(input: BatchInput, deps: BatchDeps): Promise<boolean> {
  const valid: Item[] = [];
  const invalid: DeadLetter[] = [];
  const codes: Record<string, number> = {};
  for (const message of input.messages) {
    const decoded = decodeMessage(message);
    if (decoded.ok) {
      valid.push({ result: decoded.value, message });
      continue;
    }
    codes[decoded.error.code] = (codes[decoded.error.code] ?? 0) + 1;
    invalid.push(deadLetterOf(message, input.topic, input.partition, decoded.error));
  }
  if (invalid.length > 0) {
    deps.log.warn({ partition: input.partition, count: invalid.length, codes }, 'dead-lettering invalid messages');
    if ((await deadLetter(invalid, deps)) === abandoned) return false;
  }
  if (valid.length > 0 && (await store(valid, input, deps)) === abandoned) return false;
  return true;
}
