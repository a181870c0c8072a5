// What lets the subscriber fetch while it stores. kafkajs fetches again only once every
// batch of a fetch is handled, so the subscriber hands each batch to this pipeline and
// returns at once. Here each partition's batches run one after the other, in order (at most
// `concurrency` batches of all partitions at a time), and each is committed only after it,
// and so every earlier batch of its partition, was stored. A batch that is not stored ends
// its partition's run: the later ones already queued are dropped uncommitted, and the
// subscriber fetches again from the one that failed (onBreak). What is held is bounded:
// push() waits while more than `maxBufferedResults` messages are fetched and not stored.
// Batches of a partition that queued up, behind its own slow store or waiting for a free
// slot, go on as one (up to `maxMergedResults`): fetching ahead must not cut a backlog into
// many small transactions.

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
  /** Joins batches of one partition, in order, into one (its commit covers them all). */
  merge(batches: B[]): B;
  /** Most messages a merged batch holds (a batch larger than this alone goes as it is). */
  maxMergedResults: number;
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
  // Per partition: the batches waiting (each with the run it was queued in), and whether
  // the partition's loop is running. A break of a partition, or drop() for all of them,
  // starts a new run: batches of an older run are skipped.
  const queues = new Map<number, { batch: B; run: string }[]>();
  const active = new Set<number>();
  const runs = new Map<number, number>();
  let dropped = 0;
  const runOf = (partition: number) => `${dropped}/${runs.get(partition) ?? 0}`;
  let buffered = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const release = (batches: B[]) => {
    for (const batch of batches) buffered -= batch.size;
    wake();
  };

  /** The next batches of a partition's queue that are still of its run, up to the merge limit; skipped ones are released. */
  function takeNext(partition: number, queue: { batch: B; run: string }[]): B[] {
    const taken: B[] = [];
    let size = 0;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (head.run !== runOf(partition)) {
        queue.shift();
        release([head.batch]);
        continue;
      }
      if (taken.length > 0 && size + head.batch.size > options.maxMergedResults) break;
      queue.shift();
      taken.push(head.batch);
      size += head.batch.size;
    }
    return taken;
  }

  /**
   * Waits for a slot, then stores what the partition has queued by then as one batch, and
   * commits it. Taking the batches only once a slot is free lets those that arrived while the
   * partition waited for one go into the same transaction.
   */
  async function storeNext(partition: number, queue: { batch: B; run: string }[]): Promise<void> {
    // Set once a slot is free.
    let run = '';
    let taken: B[] = [];
    let batch: B | undefined;
    try {
      const stored = await slots.run(() => {
        run = runOf(partition);
        taken = takeNext(partition, queue);
        if (taken.length === 0) return Promise.resolve(false);
        batch = taken.length === 1 ? taken[0]! : options.merge(taken);
        return options.process(batch);
      });
      if (batch === undefined || runOf(partition) !== run) return;
      if (stored) await options.commit(batch);
      else {
        runs.set(partition, (runs.get(partition) ?? 0) + 1);
        options.onBreak(batch);
      }
    } catch (error) {
      if (batch === undefined || runOf(partition) !== run) return;
      runs.set(partition, (runs.get(partition) ?? 0) + 1);
      options.onBreak(batch, error);
    } finally {
      release(taken);
    }
  }

  async function drain(partition: number): Promise<void> {
    const queue = queues.get(partition)!;
    active.add(partition);
    try {
      while (queue.length > 0) await storeNext(partition, queue);
    } finally {
      active.delete(partition);
      queues.delete(partition);
      wake();
    }
  }

  return {
    async push(batch, stop) {
      buffered += batch.size;
      const queue = queues.get(batch.partition) ?? [];
      queues.set(batch.partition, queue);
      queue.push({ batch, run: runOf(batch.partition) });
      if (!active.has(batch.partition)) void drain(batch.partition);
      while (buffered > options.maxBufferedResults && !stop.aborted) await nextWake(waiters, stop);
    },
    drop() {
      dropped += 1;
    },
    async idle() {
      while (active.size > 0) await nextWake(waiters);
    },
    buffered: () => buffered,
  };
}
