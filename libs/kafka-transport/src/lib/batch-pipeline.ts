// What lets the subscriber fetch while it stores. kafkajs fetches again only once every
// batch of a fetch is handled, so the subscriber hands each batch to this pipeline and
// returns at once. Here each partition's batches run one after the other, in order (at most
// `concurrency` batches of all partitions at a time), and each is committed only after it,
// and so every earlier batch of its partition, was stored. A batch that is not stored ends
// its partition's run: the later ones already queued are dropped uncommitted, and the
// subscriber fetches again from the one that failed (onBreak). What is held is bounded:
// push() waits while more than `maxBufferedResults` messages are fetched and not stored.

/** A fetched batch, as far as the pipeline is concerned. */
export interface PipelineBatch {
  partition: number;
  /** Messages it holds (what the bound counts). */
  size: number;
}

/** What the pipeline runs. */
export interface BatchPipelineOptions<B extends PipelineBatch> {
  /** Stores a batch; resolves true when it may be committed, false when it was not stored (closing). May throw (a rebalance). */
  process(batch: B): Promise<boolean>;
  /** Commits a stored batch's offsets; never rejects (a failed commit is covered by the next one, or the batch comes again: stored results are ignored). */
  commit(batch: B): Promise<void>;
  /** A batch was not stored (`error` when it threw): the later batches of its partition queued so far are dropped. */
  onBreak(batch: B, error?: unknown): void;
  /** Batches processed at the same time, over all partitions. */
  concurrency: number;
  /** Messages fetched and not yet stored beyond which push() waits. */
  maxBufferedResults: number;
}

/** The pipeline of one subscriber. */
export interface BatchPipeline<B extends PipelineBatch> {
  /** Queues a batch behind its partition's earlier ones; resolves once the messages held are back under the bound, or `stop` aborts. */
  push(batch: B, stop: AbortSignal): Promise<void>;
  /** Drops every queued batch that has not started (a rebalance: the broker gives them again); those running finish. */
  drop(): void;
  /** Resolves when no batch is queued or running. */
  idle(): Promise<void>;
  /** Messages fetched and not yet stored or dropped. */
  buffered(): number;
}

/** At most `limit` calls of run() at a time; the others wait in order. */
function createLimiter(limit: number): { run<T>(work: () => Promise<T>): Promise<T> } {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(work) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active += 1;
      try {
        return await work();
      } finally {
        // Hand the slot straight to the next caller, or give it back.
        const next = waiting.shift();
        if (next) next();
        else active -= 1;
      }
    },
  };
}

/** Resolves at the next wake() of `waiters`, or when `stop` aborts. */
function nextWake(waiters: Set<() => void>, stop?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      waiters.delete(done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    waiters.add(done);
    stop?.addEventListener('abort', done, { once: true });
  });
}

/** A pipeline over `options`. */
export function createBatchPipeline<B extends PipelineBatch>(options: BatchPipelineOptions<B>): BatchPipeline<B> {
  const slots = createLimiter(options.concurrency);
  const tails = new Map<number, Promise<void>>();
  // A batch runs only while its partition's run is the one it was queued in: a break of the
  // partition, or drop() for all of them, starts a new run.
  const runs = new Map<number, number>();
  let dropped = 0;
  const runOf = (partition: number) => `${dropped}/${runs.get(partition) ?? 0}`;
  const breakRun = (partition: number) => runs.set(partition, (runs.get(partition) ?? 0) + 1);
  let buffered = 0;
  let pending = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };

  async function run(batch: B, run: string): Promise<void> {
    const current = () => runOf(batch.partition) === run;
    try {
      if (!current()) return;
      let stored: boolean;
      try {
        stored = await slots.run(() => (current() ? options.process(batch) : Promise.resolve(false)));
      } catch (error) {
        if (current()) {
          breakRun(batch.partition);
          options.onBreak(batch, error);
        }
        return;
      }
      if (!current()) return;
      if (!stored) {
        breakRun(batch.partition);
        options.onBreak(batch);
        return;
      }
      await options.commit(batch);
    } finally {
      buffered -= batch.size;
      pending -= 1;
      wake();
    }
  }

  return {
    async push(batch, stop) {
      buffered += batch.size;
      pending += 1;
      const queuedIn = runOf(batch.partition);
      const tail = (tails.get(batch.partition) ?? Promise.resolve()).then(() => run(batch, queuedIn));
      tails.set(batch.partition, tail);
      void tail.then(() => {
        if (tails.get(batch.partition) === tail) tails.delete(batch.partition);
      });
      while (buffered > options.maxBufferedResults && !stop.aborted) await nextWake(waiters, stop);
    },
    drop() {
      dropped += 1;
    },
    async idle() {
      while (pending > 0) await nextWake(waiters);
    },
    buffered: () => buffered,
  };
}
