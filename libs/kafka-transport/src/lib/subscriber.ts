// The subscriber: a kafkajs consumer group member that hands each partition's batch to
// processBatch() and commits its offsets only once every message of it is stored or
// dead-lettered. Offsets are never committed by kafkajs itself (autoCommit off), so a
// batch that was not stored (crash, close, rebalance) is delivered again. Batches are
// stored in a pipeline (batch-pipeline.ts) while the next ones are fetched: kafkajs' fetch
// position moves on (resolveOffset, which commits nothing), the committed offset only
// after the store.
import { backoffDelay, noopLogger } from '@sitewatch/schema';
import { Partitioners, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import { createBatchPipeline } from './batch-pipeline.js';
import { processBatch, type BatchCounters, type BatchDeps, type BatchInput } from './batch-processor.js';
import { createKafka, kafkajsRetry } from './connection.js';
import { sendDeadLetters, type RawMessage } from './dead-letter.js';
import { waitUntilCommitted } from './drain.js';
import { toTransportError, TransportError } from './errors.js';
import { createInstanceTracker } from './instance.js';
import { createLagWatch, lagRefreshMs } from './lag.js';
import { resolveSubscriberOptions, type SubscriberOptions } from './subscriber-options.js';
import { ensureTopics } from './topics.js';

/** Counters of a subscriber, for metrics. */
export interface SubscriberStats {
  /** Batches finished and committed. */
  batches: number;
  /** Results handed to handleBatch and stored. */
  results: number;
  /** Messages sent to the dead-letter topic. */
  deadLettered: number;
  /** Retries after retriable failures of handleBatch or of the dead-letter topic. */
  retries: number;
  /**
   * Messages not yet stored: over the assigned partitions, each one's end offset less the
   * group's committed offset (from the broker every 5 s, and from this member's own fetches
   * and commits in between); a partition without a commit counts from its first offset.
   */
  lag: number;
  /** Partitions assigned to this member. */
  partitions: number;
  /** Messages fetched and not yet stored or dropped (at most about `maxBufferedResults` plus a fetch). */
  buffered: number;
  /** Times the consumer crashed and was started again. */
  restarts: number;
}

/** Reads CheckResults from a topic as a consumer group member. */
export interface Subscriber {
  /** Connects, checks (or creates) the topics, and resolves once the group is joined. */
  start(): Promise<void>;
  /** Stops fetching, lets the current batch finish and commit (up to `closeTimeoutMs`), leaves the group. Idempotent. */
  close(): Promise<void>;
  /**
   * Resolves once the group has stored (or dead-lettered) every message the topic holds now,
   * whichever member has its partition; rejects with the signal's reason when it aborts first.
   * For a writer stopping after the producer beside it.
   */
  drain(signal: AbortSignal): Promise<void>;
  /** Counters since creation (poll them for metrics). */
  stats(): SubscriberStats;
  /** True while started, in the group and not closing. */
  ready(): boolean;
  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A fetched batch in the pipeline, with what its commit needs. */
interface Fetched {
  input: BatchInput;
  partition: number;
  size: number;
  /** The offset to commit once it is stored (after its last message). */
  next: bigint;
  /** The group generation it was fetched in (counted here: each join is one). */
  generation: number;
  heartbeat(): Promise<void>;
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
}

function toRaw(message: KafkaMessage): RawMessage {
  return { key: message.key ?? null, value: message.value ?? null, headers: message.headers ?? {}, offset: message.offset };
}

/** A subscriber; nothing happens before start(). */
export function createSubscriber(options: SubscriberOptions): Subscriber {
  const { settings, connection } = resolveSubscriberOptions(options);
  const { topic, groupId } = settings;
  const log = (options.logger ?? noopLogger).child({ component: 'kafka-subscriber', topic, groupId });
  const kafka = createKafka(connection, log, kafkajsRetry(5, 300, 10_000));
  const closingSignal = new AbortController();
  const abandonSignal = new AbortController();
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    rebalanceTimeout: settings.rebalanceTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    maxWaitTimeInMs: settings.fetchMaxWaitMs,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    allowAutoTopicCreation: false,
    retry: { ...kafkajsRetry(5, 300, 10_000), restartOnFailure: async () => !closingSignal.signal.aborted },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, retry: kafkajsRetry(3, 100, 1000) });
  const counters: BatchCounters & { batches: number; restarts: number } = { batches: 0, results: 0, deadLettered: 0, retries: 0, restarts: 0 };
  // Per partition: the end offset (high watermark) last seen in a fetch, and the offset last committed.
  const ends = new Map<number, bigint>();
  const committed = new Map<number, bigint>();
  const lagWatch = createLagWatch({ kafka, topic, groupId, fromBeginning: settings.fromBeginning, logger: log });
  const instance = createInstanceTracker({ kafka, groupId, instance: settings.instance, logger: log });
  let lagTimer: NodeJS.Timeout | undefined;
  let assigned: number[] = [];
  let joined = false;
  let started = false;
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let joinWaiter: { resolve(): void; reject(error: Error): void } | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartAttempts = 0;

  const deps: Omit<BatchDeps, 'heartbeat'> = {
    handleBatch: settings.handleBatch,
    deadLetter: (letters) => sendDeadLetters((batch) => producer.send({ topic: settings.deadLetterTopic, acks: -1, messages: batch }).then(() => undefined), letters),
    closing: closingSignal.signal,
    abandon: abandonSignal.signal,
    retry: settings.retry,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    log,
    counters,
  };

  let generation = 0;

  async function commit(fetched: Fetched): Promise<void> {
    // After a rebalance the partition may be another member's: its batches come again from
    // the last committed offset there, and the stored ones are skipped as duplicates.
    if (fetched.generation !== generation) return;
    try {
      await fetched.commit({ topics: [{ topic, partitions: [{ partition: fetched.partition, offset: fetched.next.toString() }] }] });
    } catch (error) {
      log.warn({ err: toTransportError(error), partition: fetched.partition }, 'committing offsets failed; the next commit covers them');
      return;
    }
    counters.batches += 1;
    committed.set(fetched.partition, fetched.next);
  }

  const pipeline = createBatchPipeline<Fetched>({
    concurrency: settings.partitionsConcurrently,
    maxBufferedResults: settings.maxBufferedResults,
    // Half the bound: two such batches of a partition can be held, one stored, one filling.
    maxMergedResults: Math.max(1, Math.floor(settings.maxBufferedResults / 2)),
    merge: (batches) => {
      const last = batches.at(-1)!;
      const messages = batches.flatMap((batch) => batch.input.messages);
      return { ...last, input: { ...last.input, messages }, size: messages.length };
    },
    // Once closing, batches not yet started are left for the next member or start.
    process: (fetched) => (closingSignal.signal.aborted ? Promise.resolve(false) : processBatch(fetched.input, { ...deps, heartbeat: fetched.heartbeat })),
    commit,
    onBreak(fetched, error) {
      if (error !== undefined) log.warn({ err: toTransportError(error), partition: fetched.partition }, 'a batch was not stored; fetching it again');
      if (closingSignal.signal.aborted || fetched.generation !== generation) return;
      // kafkajs has fetched past it: go back, so it and the batches dropped after it come again.
      try {
        consumer.seek({ topic, partition: fetched.partition, offset: fetched.input.messages[0]?.offset ?? (fetched.next - 1n).toString() });
      } catch (seekError) {
        log.warn({ err: toTransportError(seekError), partition: fetched.partition }, 'fetching a batch again failed; it comes again after the next rebalance');
      }
    },
  });

  async function eachBatch({ batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || closingSignal.signal.aborted) return;
    const input = { topic: batch.topic, partition: batch.partition, messages: batch.messages.map(toRaw) };
    // batch.lastOffset() also covers records kafkajs filtered out (transaction markers).
    const next = BigInt(batch.lastOffset()) + 1n;
    // Only kafkajs' fetch position: with autoCommit off nothing is committed before the store.
    resolveOffset(batch.lastOffset());
    // Fetching runs ahead of storing, so the lag is counted from the latest end seen.
    const end = BigInt(batch.highWatermark);
    if (end > (ends.get(batch.partition) ?? -1n)) ends.set(batch.partition, end);
    const fetched: Fetched = { input, partition: batch.partition, size: input.messages.length, next, generation, heartbeat, commit: commitOffsetsIfNecessary };
    await pipeline.push(fetched, closingSignal.signal);
  }

  const run = () => consumer.run({ eachBatch, autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: settings.partitionsConcurrently });

  function scheduleRestart(): void {
    const delayMs = backoffDelay(settings.retry, restartAttempts++);
    restartTimer = setTimeout(() => {
      if (closingSignal.signal.aborted) return;
      counters.restarts += 1;
      consumer
        .connect()
        .then(run)
        .catch((error: unknown) => {
          log.error({ err: toTransportError(error), delayMs }, 'restarting the consumer failed; trying again');
          scheduleRestart();
        });
    }, delayMs);
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = true;
    // kafkajs fetches from the committed offsets again: what is queued will come again.
    generation += 1;
    pipeline.drop();
    restartAttempts = 0;
    assigned = payload.memberAssignment[topic] ?? [];
    for (const partition of committed.keys()) {
      if (assigned.includes(partition)) continue;
      committed.delete(partition);
      ends.delete(partition);
    }
    log.info({ partitions: assigned, memberId: payload.memberId, durationMs: payload.duration }, 'joined the consumer group');
    instance.joined(payload.memberId);
    void lagWatch.refresh();
    joinWaiter?.resolve();
  });

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    const err = toTransportError(payload.error);
    if (joinWaiter) return joinWaiter.reject(err);
    if (closingSignal.signal.aborted) return;
    if (payload.restart) {
      counters.restarts += 1;
      log.warn({ err, code: err.code }, 'the consumer crashed; kafkajs restarts it');
      return;
    }
    // kafkajs gives up on errors it deems final (an ACL, a bug): keep trying, slowly, rather
    // than leave a process that looks alive but consumes nothing.
    log.error({ err, code: err.code }, 'the consumer crashed; restarting it');
    scheduleRestart();
  });

  async function join(): Promise<void> {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: settings.fromBeginning });
    const joinedOnce = new Promise<void>((resolve, reject) => (joinWaiter = { resolve, reject }));
    try {
      await run();
      await joinedOnce;
    } finally {
      joinWaiter = undefined;
    }
  }

  async function startUp(): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(admin, [topic, settings.deadLetterTopic], settings.createTopic, log);
      await instance.join(join);
    } catch (error) {
      await Promise.all([consumer.disconnect(), producer.disconnect()]).catch(() => undefined);
      starting = undefined;
      throw toTransportError(error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (closingSignal.signal.aborted) throw new TransportError('ERR_TRANSPORT_CLOSED', 'the subscriber was closed while starting');
    started = true;
    lagTimer = setInterval(() => void lagWatch.refresh(), lagRefreshMs);
    log.info({ deadLetterTopic: settings.deadLetterTopic, fromBeginning: settings.fromBeginning }, 'subscriber started');
  }

  async function shutDown(): Promise<void> {
    closingSignal.abort();
    clearTimeout(restartTimer);
    clearInterval(lagTimer);
    await starting?.catch(() => undefined);
    // The batches being stored finish and commit (the queued ones are left); past the
    // deadline they are abandoned uncommitted. Commits need the group: leave it after.
    const timer = setTimeout(() => abandonSignal.abort(), settings.closeTimeoutMs);
    try {
      // Nothing more to fetch; kafkajs refuses when it never ran.
      if (started) {
        try {
          consumer.pause([{ topic }]);
        } catch {
          // not running: nothing is fetched anyway
        }
      }
      await pipeline.idle();
      await consumer.disconnect();
      instance.left();
    } catch (error) {
      log.warn({ err: toTransportError(error) }, 'leaving the consumer group failed');
    } finally {
      clearTimeout(timer);
      await Promise.all([producer.disconnect().catch(() => undefined), lagWatch.close()]);
    }
    joined = false;
    log.info({ ...counters, abandonedBatch: abandonSignal.signal.aborted }, 'subscriber closed');
  }

  function close(): Promise<void> {
    closing ??= shutDown();
    return closing;
  }

  return {
    start() {
      if (closing) return Promise.reject(new TransportError('ERR_TRANSPORT_CLOSED', 'the subscriber is closed'));
      starting ??= startUp();
      return starting;
    },
    close,
    async drain(signal) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await waitUntilCommitted(admin, topic, groupId, signal);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    stats: () => ({
      ...counters,
      lag: Number(lagWatch.lag(assigned, { ends, committed })),
      buffered: pipeline.buffered(),
      partitions: assigned.length,
    }),
    ready: () => started && joined && closing === undefined,
    [Symbol.asyncDispose]: close,
  };
}
