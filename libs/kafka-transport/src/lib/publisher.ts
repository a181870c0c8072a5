// The publisher: publish() only enqueues; one background loop sends batches in order, one
// request at a time (idempotent producer, acks from all in-sync replicas), and keeps a batch
// until the broker has it. While Kafka is unreachable the buffer grows to its bound, and
// beyond it the oldest waiting results are dropped: counted, logged, never silent.
import { backoffDelay, encode, noopLogger, schemaVersion, schemaVersionHeader, sleep, type CheckResult } from '@sitewatch/schema';
import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { createKafka, kafkajsRetry } from './connection.js';
import { toTransportError, TransportError } from './errors.js';
import { createPublisherLog } from './publisher-log.js';
import { resolvePublisherOptions, type PublisherOptions } from './publisher-options.js';
import { createSendBuffer } from './send-buffer.js';
import { openSpool, type SpoolStats } from './spool.js';
import { ensureTopics } from './topics.js';

/** Counters of a publisher, for metrics. */
export interface PublisherStats {
  /** Results waiting to be sent or being sent. */
  buffered: number;
  /** Results the broker acknowledged. */
  published: number;
  /** Results dropped: buffer overflow, too large for the topic, or still buffered when close() gave up. */
  dropped: number;
  /** Failed attempts to connect or to send a batch (each is retried). */
  sendErrors: number;
  /** Batches the broker acknowledged. */
  batches: number;
  /** With a spool: its figures (its drops are also in `dropped`). */
  spool?: SpoolStats;
}

/** Publishes CheckResults to a Kafka topic, keyed by target id. */
export interface Publisher {
  /**
   * Queues a result to be sent; never waits and never throws for Kafka trouble. Throws a
   * SchemaError for an invalid result and ERR_TRANSPORT_CLOSED once close() was called.
   */
  publish(result: CheckResult): void;
  /** Resolves when every result published before the call is sent (or dropped). */
  flush(): Promise<void>;
  /** Sends what is buffered (up to `closeTimeoutMs`), then disconnects. Idempotent. */
  close(): Promise<void>;
  /** Counters since creation (poll them for metrics). */
  stats(): PublisherStats;
  /** True when connected and the last attempt succeeded. */
  ready(): boolean;
  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const versionHeaders = { [schemaVersionHeader]: String(schemaVersion) };
const closedError = () => new TransportError('ERR_TRANSPORT_CLOSED', 'the publisher is closed');

/** A publisher; it connects in the background at once. With a spool, it opens it first (throwing ERR_TRANSPORT_IN_USE or ERR_TRANSPORT_SPOOL). */
export function createPublisher(options: PublisherOptions): Publisher {
  const { settings, connection } = resolvePublisherOptions(options);
  const log = (options.logger ?? noopLogger).child({ component: 'kafka-publisher', topic: settings.topic });
  const kafka = createKafka(connection, log, kafkajsRetry(1));
  const compression = settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const spool = settings.spool && openSpool(settings.spool, log);
  const buffer = spool ?? createSendBuffer(settings.maxBufferedResults);
  const report = createPublisherLog(log);
  const stop = new AbortController();
  const counters = { published: 0, dropped: 0, sendErrors: 0, batches: 0 };
  const state = () => ({ buffered: buffer.size, dropped: counters.dropped });
  let producer = newProducer();
  let connected = false;
  let sendLimit = settings.maxBatchResults;
  let failures = 0;
  let idle = false;
  let notify: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  let closed = false;

  function newProducer(): Producer {
    // One request in flight and an idempotent producer: a retried batch can neither be
    // written twice nor overtake the one after it, so per-target order holds.
    return kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: kafkajsRetry(3, 100, 1000),
    });
  }

  /** Waits for notify() (publish, flush, close) or `ms`. */
  function wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        notify = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      notify = done;
    });
  }

  async function connect(): Promise<void> {
    await producer.connect();
    if (settings.createTopic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [settings.topic], settings.createTopic, log);
      } finally {
        await admin.disconnect();
      }
    }
    connected = true;
  }

  async function send(): Promise<void> {
    const batch = buffer.next(sendLimit, settings.maxBatchResults);
    if (batch.length === 0 || stop.signal.aborted) return;
    const messages = batch.map((entry) => ({ key: entry.key, value: entry.value, headers: versionHeaders }));
    await producer.send({ topic: settings.topic, acks: -1, compression, messages });
    buffer.settle(batch.length);
    if (buffer.inFlight === 0) sendLimit = settings.maxBatchResults;
    counters.published += batch.length;
    counters.batches += 1;
    failures = 0;
    report.sent(state());
  }

  /** A request the topic will never take: halve the batch, or drop the one result that is too large. */
  function onTooLarge(): void {
    const [first, ...rest] = buffer.next(sendLimit, settings.maxBatchResults);
    if (rest.length > 0) {
      sendLimit = Math.ceil((rest.length + 1) / 2);
      return;
    }
    buffer.settle(1);
    counters.dropped += 1;
    log.error({ targetId: first?.key, bytes: first?.value.length }, 'dropped a result larger than the topic accepts');
  }

  async function onFailure(error: unknown): Promise<void> {
    if (stop.signal.aborted) return;
    const err = toTransportError(error);
    counters.sendErrors += 1;
    settings.onError?.(err);
    if (err.code === 'ERR_TRANSPORT_TOO_LARGE') return onTooLarge();
    report.failed(err, state());
    if (!err.retriable) {
      // e.g. the broker lost this producer's id after a restart: start over with a new one.
      // The batch may then be written twice; consumers store idempotently (by result id).
      connected = false;
      const old = producer;
      producer = newProducer();
      await old.disconnect().catch(() => undefined);
    }
    await sleep(backoffDelay(settings.retry, failures++), stop.signal);
  }

  async function waitForWork(): Promise<void> {
    while (!stop.signal.aborted && buffer.size === 0) {
      idle = true;
      await wait();
      idle = false;
    }
    // Let a batch fill, unless one is in flight or full, or someone waits for a flush.
    const full = buffer.waiting >= settings.maxBatchResults || buffer.inFlight > 0;
    if (!stop.signal.aborted && !full && !buffer.flushRequested && settings.lingerMs > 0) await wait(settings.lingerMs);
  }

  async function run(): Promise<void> {
    while (!stop.signal.aborted) {
      try {
        if (!connected) await connect();
        await waitForWork();
        await send();
      } catch (error) {
        await onFailure(error);
      }
    }
  }

  const loop = run();

  async function shutDown(): Promise<void> {
    notify?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, settings.closeTimeoutMs)));
    await Promise.race([buffer.whenSent().catch(() => undefined), deadline]);
    clearTimeout(timer);
    stop.abort();
    notify?.();
    // Disconnecting also ends a send that is still waiting for an unreachable broker; a send
    // in progress must end before what is left is counted. A connection attempt in progress
    // ends by itself (kafkajs gives up after its connection timeout and retries: seconds at
    // most) and no send follows it; it is waited for, then disconnected, so nothing of the
    // publisher still runs once close() has resolved.
    await producer.disconnect().catch(() => undefined);
    await loop.catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    const left = buffer.clear(new TransportError('ERR_TRANSPORT_CLOSED', 'the publisher closed before these results were sent'));
    counters.dropped += left;
    if (left > 0) log.error({ dropped: left, droppedTotal: counters.dropped, closeTimeoutMs: settings.closeTimeoutMs }, 'closed with results not sent');
    report.flushDrops(state());
    closed = true;
    log.info({ published: counters.published, dropped: counters.dropped }, 'publisher closed');
  }

  function close(): Promise<void> {
    closing ??= shutDown();
    return closing;
  }

  return {
    publish(result) {
      if (closing) throw closedError();
      const dropped = buffer.push({ key: result.targetId, value: encode(result) });
      if (dropped > 0) {
        counters.dropped += dropped;
        report.dropped(dropped, state());
      }
      if (idle || buffer.waiting >= settings.maxBatchResults) notify?.();
    },
    flush() {
      if (closed) return Promise.reject(closedError());
      const sent = buffer.whenSent();
      notify?.(); // a flush does not linger
      return sent;
    },
    close,
    stats: () => ({ ...counters, buffered: buffer.size, ...(spool && { spool: spool.stats() }) }),
    ready: () => connected && !report.inOutage && closing === undefined,
    [Symbol.asyncDispose]: close,
  };
}
