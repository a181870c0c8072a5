/** A FIFO queue with O(1) amortised push, shift and take (Array#shift is O(n)). */
export interface Queue<T> {
  readonly length: number;
  push(item: T): void;
  /** The oldest item, without removing it. */
  peek(): T | undefined;
  /** Removes and returns the oldest item. */
  shift(): T | undefined;
  /** Removes and returns up to `count` of the oldest items, oldest first. */
  take(count: number): T[];
  /** Removes and returns every item, oldest first. */
  drain(): T[];
}

/** An empty queue. */
export function createQueue<T>(): Queue<T> {
  let items: (T | undefined)[] = [];
  let head = 0;

  // Drop the consumed prefix now and then, so memory follows the queue's length.
  const compact = () => {
    if (head > 1024 && head * 2 > items.length) {
      items = items.slice(head);
      head = 0;
    }
  };

  return {
    get length() {
      return items.length - head;
    },
    push(item) {
      items.push(item);
    },
    peek() {
      return head < items.length ? items[head] : undefined;
    },
    shift() {
      if (head >= items.length) return undefined;
      const item = items[head];
      items[head++] = undefined;
      compact();
      return item;
    },
    take(count) {
      const taken = items.slice(head, head + count) as T[];
      items.fill(undefined, head, head + taken.length);
      head += taken.length;
      compact();
      return taken;
    },
    drain() {
      const all = items.slice(head) as T[];
      items = [];
      head = 0;
      return all;
    },
  };
}
