// Waiting for a consumer group to have stored everything a topic holds: for a writer that
// stops after the producer it runs beside (one process on one machine), so that nothing it
// published is left in the topic for the next start.
import { setTimeout as delay } from 'node:timers/promises';
import type { Admin } from 'kafkajs';

/** How often the group's committed offsets are asked for, ms. */
const pollMs = 100;

/**
 * Resolves once `groupId` has committed, on every partition of `topic`, up to the end offset
 * the partition had when this was called (each message then in it stored or dead-lettered);
 * rejects with the signal's reason when `signal` aborts first.
 */
export async function waitUntilCommitted(admin: Admin, topic: string, groupId: string, signal: AbortSignal): Promise<void> {
  const ends = await admin.fetchTopicOffsets(topic);
  // An empty partition (low = high) holds nothing to store, whatever the group committed.
  const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  while (pending.size > 0) {
    signal.throwIfAborted();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const { partition, offset } of committed?.partitions ?? []) {
      const end = pending.get(partition);
      // -1: nothing committed yet.
      if (end !== undefined && BigInt(offset) >= end) pending.delete(partition);
    }
    // An aborted delay rejects with an AbortError: the signal's own reason is thrown instead.
    if (pending.size > 0) await delay(pollMs, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}
