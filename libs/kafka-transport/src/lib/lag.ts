// A subscriber's lag: for each partition assigned to it, the partition's end offset less the
// group's committed offset. The broker's figures (end offsets, the group's committed
// offsets) are polled, so a partition this member has not committed yet, right after a start
// or a rebalance, counts its whole backlog; between polls the member's own fetches and
// commits keep the figure current.
import type { Logger } from '@sitewatch/schema';
import type { Admin, Kafka } from 'kafkajs';

/** How often the broker's offsets are read, in milliseconds. */
export const lagRefreshMs = 5000;

/** What the member itself saw since the last poll, per partition. */
export interface LocalOffsets {
  /** The end offset (high watermark) of the last fetch. */
  ends: ReadonlyMap<number, bigint>;
  /** The offset this member last committed. */
  committed: ReadonlyMap<number, bigint>;
}

/** See the module comment. */
export interface LagWatch {
  /** Reads the broker's offsets for the topic and the group; a failure keeps the last ones (logged at debug). */
  refresh(): Promise<void>;
  /** Messages not yet stored over `assigned`. */
  lag(assigned: readonly number[], local: LocalOffsets): bigint;
  close(): Promise<void>;
}

const max = (a: bigint | undefined, b: bigint | undefined) => (a === undefined ? b : b === undefined || a > b ? a : b);

/** A lag watch for `groupId` on `topic`; `fromBeginning` says where a partition without a commit starts. */
export function createLagWatch(options: { kafka: Kafka; topic: string; groupId: string; fromBeginning: boolean; logger: Logger }): LagWatch {
  const { topic, groupId } = options;
  const starts = new Map<number, bigint>();
  const ends = new Map<number, bigint>();
  const committed = new Map<number, bigint>();
  let admin: Admin | undefined;
  let refreshing: Promise<void> | undefined;

  async function read(): Promise<void> {
    admin ??= options.kafka.admin();
    await admin.connect();
    const [offsets, [group]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    for (const { partition, low, high } of offsets) {
      starts.set(partition, BigInt(low));
      ends.set(partition, BigInt(high));
    }
    committed.clear();
    for (const { partition, offset } of group?.partitions ?? []) if (BigInt(offset) >= 0n) committed.set(partition, BigInt(offset));
  }

  return {
    refresh() {
      refreshing ??= read()
        .catch((err: unknown) => options.logger.debug({ err }, 'reading the offsets for the lag failed'))
        .finally(() => (refreshing = undefined));
      return refreshing;
    },
    lag(assigned, local) {
      let behind = 0n;
      for (const partition of assigned) {
        const end = max(ends.get(partition), local.ends.get(partition));
        if (end === undefined) continue;
        const done = max(committed.get(partition), local.committed.get(partition)) ?? (options.fromBeginning ? (starts.get(partition) ?? end) : end);
        if (end > done) behind += end - done;
      }
      return behind;
    },
    async close() {
      await refreshing;
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
