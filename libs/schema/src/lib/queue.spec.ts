import { describe, expect, it } from '@jest/globals';
import { createQueue } from './queue.js';

describe('queue', () => {
  it('is first in, first out', () => {
    const queue = createQueue<number>();
    for (let i = 1; i <= 5; i++) queue.push(i);
    expect(queue.peek()).toBe(1);
    expect(queue.shift()).toBe(1);
    expect(queue.take(2)).toEqual([2, 3]);
    expect(queue.length).toBe(2);
    expect(queue.take(10)).toEqual([4, 5]);
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
    expect(queue.take(3)).toEqual([]);
  });

  it('keeps its order across many pushes and removals (compaction)', () => {
    const queue = createQueue<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) {
        queue.push(next);
        expected.push(next++);
      }
      const taken = [...queue.take(200), queue.shift()!];
      expect(taken).toEqual(expected.splice(0, 201));
      expect(queue.length).toBe(expected.length);
    }
    expect(queue.drain()).toEqual(expected);
    expect(queue.length).toBe(0);
  });
});
