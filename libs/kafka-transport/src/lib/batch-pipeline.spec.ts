import { describe, expect, it } from '@jest/globals';
import { createBatchPipeline, type BatchPipelineOptions } from './batch-pipeline.js';

interface TestBatch {
  partition: number;
  size: number;
  name: string;
}

/** A promise and its resolve, to let a fake store finish when the test says. */
function gate<T = boolean>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** A pipeline whose stores finish when the test opens their gate; it records what happened, in order. */
function setUp(overrides: Partial<BatchPipelineOptions<TestBatch>> = {}) {
  const events: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate<boolean | Error>>>();
  const gateOf = (name: string) => {
    if (!gates.has(name)) gates.set(name, gate<boolean | Error>());
    return gates.get(name)!;
  };
  const breaks: string[] = [];
  const pipeline = createBatchPipeline<TestBatch>({
    concurrency: 2,
    maxBufferedResults: 10,
    async process(batch) {
      events.push(`store ${batch.name}`);
      const outcome = await gateOf(batch.name).promise;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    async commit(batch) {
      events.push(`commit ${batch.name}`);
    },
    onBreak: (batch, error) => void breaks.push(`${batch.name}${error ? ' (error)' : ''}`),
    merge: (batches) => ({ partition: batches[0]!.partition, size: batches.reduce((sum, b) => sum + b.size, 0), name: batches.map((b) => b.name).join('+') }),
    maxMergedResults: 100,
    ...overrides,
  });
  const stop = new AbortController();
  return { pipeline, events, breaks, stop, finish: (name: string, outcome: boolean | Error = true) => gateOf(name).open(outcome) };
}

const batch = (name: string, partition: number, size = 1): TestBatch => ({ name, partition, size });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatchPipeline', () => {
  it('runs a partition in order and commits each batch only after its store, while push() returns at once', async () => {
    const { pipeline, events, stop, finish } = setUp();
    await pipeline.push(batch('a1', 0), stop.signal);
    await pipeline.push(batch('a2', 0), stop.signal);
    await pipeline.push(batch('b1', 1), stop.signal);
    await tick();
    expect(events).toEqual(['store a1', 'store b1']);
    finish('a2');
    await tick();
    expect(events).toEqual(['store a1', 'store b1']);
    finish('a1');
    await tick();
    expect(events).toEqual(['store a1', 'store b1', 'commit a1', 'store a2', 'commit a2']);
    finish('b1');
    await pipeline.idle();
    expect(events.slice(-1)).toEqual(['commit b1']);
    expect(pipeline.buffered()).toBe(0);
  });

  it('stores the batches that queued up behind a store as one, up to maxMergedResults, and commits that once', async () => {
    const { pipeline, events, stop, finish } = setUp({ maxMergedResults: 5, maxBufferedResults: 100 });
    await pipeline.push(batch('a1', 0, 2), stop.signal);
    for (const name of ['a2', 'a3', 'a4']) await pipeline.push(batch(name, 0, 2), stop.signal);
    finish('a1');
    finish('a2+a3');
    finish('a4');
    await pipeline.idle();
    expect(events).toEqual(['store a1', 'commit a1', 'store a2+a3', 'commit a2+a3', 'store a4', 'commit a4']);
  });

  it('runs at most `concurrency` batches at a time', async () => {
    const { pipeline, events, stop, finish } = setUp({ concurrency: 1 });
    await pipeline.push(batch('a1', 0), stop.signal);
    await pipeline.push(batch('b1', 1), stop.signal);
    await tick();
    expect(events).toEqual(['store a1']);
    finish('a1');
    await tick();
    expect(events.slice(0, 2)).toEqual(['store a1', 'store b1']);
    finish('b1');
    await pipeline.idle();
    expect([...events].sort()).toEqual(['commit a1', 'commit b1', 'store a1', 'store b1']);
  });

  it('takes what a partition queued while it waited for a slot as one batch', async () => {
    const { pipeline, events, stop, finish } = setUp({ concurrency: 1, maxBufferedResults: 100 });
    await pipeline.push(batch('a1', 0), stop.signal);
    await pipeline.push(batch('b1', 1), stop.signal);
    await tick();
    await pipeline.push(batch('b2', 1), stop.signal);
    await pipeline.push(batch('a2', 0), stop.signal);
    expect(events).toEqual(['store a1']);
    finish('a1');
    finish('b1+b2');
    finish('a2');
    await pipeline.idle();
    expect(events.filter((event) => event.startsWith('store'))).toEqual(['store a1', 'store b1+b2', 'store a2']);
    expect(events.filter((event) => event.startsWith('commit')).sort()).toEqual(['commit a1', 'commit a2', 'commit b1+b2']);
  });

  it('makes push() wait while more than maxBufferedResults messages are held, until stores bring them under', async () => {
    const { pipeline, stop, finish } = setUp({ maxBufferedResults: 10 });
    await pipeline.push(batch('a1', 0, 6), stop.signal);
    let returned = false;
    const second = pipeline.push(batch('a2', 0, 6), stop.signal).then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    expect(pipeline.buffered()).toBe(12);
    finish('a1');
    await second;
    expect(pipeline.buffered()).toBe(6);
    finish('a2');
    await pipeline.idle();
  });

  it('stops waiting in push() when told to stop', async () => {
    const { pipeline, stop, finish } = setUp({ maxBufferedResults: 1 });
    const pushed = pipeline.push(batch('a1', 0, 5), stop.signal);
    stop.abort();
    await pushed;
    finish('a1');
    await pipeline.idle();
  });

  it('drops the rest of a partition after a batch that was not stored, commits nothing of it, and leaves other partitions alone', async () => {
    const { pipeline, events, breaks, stop, finish } = setUp();
    for (const b of [batch('a1', 0), batch('a2', 0), batch('a3', 0), batch('b1', 1)]) await pipeline.push(b, stop.signal);
    finish('a1', new Error('rebalance'));
    finish('b1');
    await pipeline.idle();
    expect(events).toEqual(['store a1', 'store b1', 'commit b1']);
    expect(breaks).toEqual(['a1 (error)']);
    // A new run of the partition (fetched again after the break) is stored.
    await pipeline.push(batch('a1 again', 0), stop.signal);
    finish('a1 again');
    await pipeline.idle();
    expect(events.slice(-2)).toEqual(['store a1 again', 'commit a1 again']);
  });

  it('does not commit a batch that was not stored (closing), nor those after it', async () => {
    const { pipeline, events, breaks, stop, finish } = setUp();
    await pipeline.push(batch('a1', 0), stop.signal);
    await pipeline.push(batch('a2', 0), stop.signal);
    finish('a1', false);
    await pipeline.idle();
    expect(events).toEqual(['store a1']);
    expect(breaks).toEqual(['a1']);
  });

  it('on drop(), skips what has not started and lets the running store finish without breaking the new run', async () => {
    const { pipeline, events, breaks, stop, finish } = setUp();
    await pipeline.push(batch('a1', 0), stop.signal);
    await pipeline.push(batch('a2', 0), stop.signal);
    await tick();
    pipeline.drop();
    await pipeline.push(batch('a2 again', 0), stop.signal);
    finish('a1');
    finish('a2 again');
    await pipeline.idle();
    // a1 was stored but is not committed by the pipeline (its run is over); a2 never ran.
    expect(events).toEqual(['store a1', 'store a2 again', 'commit a2 again']);
    expect(breaks).toEqual([]);
  });
});
