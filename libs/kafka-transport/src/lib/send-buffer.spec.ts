import { describe, expect, it } from '@jest/globals';
import { createSendBuffer, type BufferEntry } from './send-buffer.js';

const entry = (n: number): BufferEntry => ({ key: `t${n}`, value: Buffer.from(String(n)) });
const keys = (entries: BufferEntry[]) => entries.map((e) => e.key);

describe('send buffer', () => {
  it('hands out batches in order and keeps the batch in flight until settled', () => {
    const buffer = createSendBuffer(100);
    for (let i = 1; i <= 5; i++) buffer.push(entry(i));
    expect(keys(buffer.next(10, 3))).toEqual(['t1', 't2', 't3']);
    // Not settled (a failed send): the same batch again, even with a smaller limit.
    expect(keys(buffer.next(10, 3))).toEqual(['t1', 't2', 't3']);
    expect(keys(buffer.next(2, 3))).toEqual(['t1', 't2']);
    buffer.settle(2);
    expect(keys(buffer.next(10, 3))).toEqual(['t3']);
    buffer.settle(1);
    expect(keys(buffer.next(10, 3))).toEqual(['t4', 't5']);
    expect({ size: buffer.size, waiting: buffer.waiting, inFlight: buffer.inFlight }).toEqual({ size: 2, waiting: 0, inFlight: 2 });
  });

  it('drops the oldest waiting entry beyond the bound, never one in flight', () => {
    const buffer = createSendBuffer(4);
    for (let i = 1; i <= 4; i++) expect(buffer.push(entry(i))).toBe(0);
    buffer.next(2, 2); // t1, t2 in flight
    expect(buffer.push(entry(5))).toBe(1); // drops t3
    expect(buffer.push(entry(6))).toBe(1); // drops t4
    expect(buffer.size).toBe(4);
    buffer.settle(2);
    expect(keys(buffer.next(10, 10))).toEqual(['t5', 't6']);
  });

  it('drops the newcomer when the batch in flight fills the buffer', () => {
    const buffer = createSendBuffer(2);
    buffer.push(entry(1));
    buffer.push(entry(2));
    buffer.next(2, 2);
    expect(buffer.push(entry(3))).toBe(1);
    expect(keys(buffer.next(10, 10))).toEqual(['t1', 't2']);
    expect(buffer.waiting).toBe(0);
  });

  it('resolves whenSent() once what was pushed before it has left, sent or dropped', async () => {
    const buffer = createSendBuffer(3);
    await buffer.whenSent();
    buffer.push(entry(1));
    buffer.push(entry(2));
    let done = false;
    const sent = buffer.whenSent().then(() => (done = true));
    expect(buffer.flushRequested).toBe(true);
    buffer.push(entry(3));
    buffer.next(1, 1);
    buffer.settle(1);
    await Promise.resolve();
    expect(done).toBe(false);
    expect(buffer.push(entry(4))).toBe(0);
    expect(buffer.push(entry(5))).toBe(1); // full: drops t2, the last entry the flush waits for
    await sent;
    expect(buffer.flushRequested).toBe(false);
  });

  it('clears, rejecting whoever waits', async () => {
    const buffer = createSendBuffer(3);
    buffer.push(entry(1));
    const sent = buffer.whenSent();
    const error = new Error('closed');
    expect(buffer.clear(error)).toBe(1);
    await expect(sent).rejects.toBe(error);
    expect(buffer.size).toBe(0);
  });
});
