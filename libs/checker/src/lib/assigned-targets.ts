// The targets of the registry partitions a checker holds, kept in its scheduler: a partition
// assigned starts empty and fills as its records arrive (from the start of the partition);
// a record adds, changes or (a tombstone) removes its target; a partition revoked takes its
// targets out of the scheduler at once. A record that is not a valid target is reported,
// counted and skipped, and removes the target it names: what a reader after compaction would see.
import { decodeTarget, isSitewatchError, noopLogger, type Logger } from '@sitewatch/schema';
import type { Scheduler } from './scheduler.js';
import { compileTarget, type CompiledTarget } from './target.js';

/** One record of the registry topic: the key is the target id, no value removes it. */
export interface TargetRecord {
  partition: number;
  /** Where the record is, for the log (default none). */
  offset?: string;
  key: string | null;
  value: Uint8Array | null;
}

/** Options of createAssignedTargets(). */
export interface AssignedTargetsOptions {
  /** Where the targets are scheduled. */
  scheduler: Pick<Scheduler, 'add' | 'update' | 'remove' | 'has'>;
  /** Where invalid records are reported, at warn. Default `noopLogger`. */
  logger?: Logger;
}

/** Counters of the assigned targets, for metrics. */
export interface AssignedTargetsStats {
  /** Targets scheduled from the partitions held. */
  targets: number;
  /** Partitions held. */
  partitions: number;
  /** Records skipped because they are not a valid target (not JSON, schema-invalid, a newer version, a regex that does not compile, ...). */
  invalidRecords: number;
}

/** What a registry member tells (see RegistryListener in @sitewatch/kafka-transport), applied to a scheduler. */
export interface AssignedTargets {
  assigned(partitions: number[]): void;
  revoked(partitions: number[]): void;
  record(record: TargetRecord): void;
  stats(): AssignedTargetsStats;
}

/** Follows the registry partitions a checker holds into its scheduler. */
export function createAssignedTargets(options: AssignedTargetsOptions): AssignedTargets {
  const { scheduler } = options;
  const log = options.logger ?? noopLogger;
  const byPartition = new Map<number, Set<string>>();
  const partitionOf = new Map<string, number>();
  let invalidRecords = 0;

  function drop(id: string): void {
    const partition = partitionOf.get(id);
    if (partition === undefined) return;
    byPartition.get(partition)?.delete(id);
    partitionOf.delete(id);
    scheduler.remove(id);
  }

  function schedule(partition: number, target: CompiledTarget): void {
    // A key found in a second partition (the topic's partitions were changed): the newest record wins.
    if (partitionOf.get(target.id) !== partition) drop(target.id);
    if (scheduler.has(target.id)) scheduler.update(target);
    else scheduler.add(target);
    byPartition.get(partition)!.add(target.id);
    partitionOf.set(target.id, partition);
  }

  function compile(record: TargetRecord & { key: string; value: Uint8Array }): CompiledTarget | undefined {
    const decoded = decodeTarget(record.value, record.key);
    try {
      if (decoded.ok) return compileTarget(decoded.value);
      throw decoded.error;
    } catch (error) {
      if (!isSitewatchError(error)) throw error;
      invalidRecords++;
      const { partition, offset, key } = record;
      log.warn({ partition, offset, targetId: key, code: error.code, problems: error.problems }, 'invalid target record skipped');
      return undefined;
    }
  }

  return {
    assigned(partitions) {
      for (const partition of partitions) if (!byPartition.has(partition)) byPartition.set(partition, new Set());
    },
    revoked(partitions) {
      for (const partition of partitions) for (const id of byPartition.get(partition) ?? []) drop(id);
      for (const partition of partitions) byPartition.delete(partition);
    },
    record(record) {
      if (!byPartition.has(record.partition)) return;
      if (record.key === null) {
        invalidRecords++;
        log.warn({ partition: record.partition, offset: record.offset }, 'target record without a key skipped');
        return;
      }
      if (record.value === null) return void (partitionOf.get(record.key) === record.partition && drop(record.key));
      const target = compile(record as TargetRecord & { key: string; value: Uint8Array });
      if (target) schedule(record.partition, target);
      else if (partitionOf.get(record.key) === record.partition) drop(record.key);
    },
    stats: () => ({ targets: partitionOf.size, partitions: byPartition.size, invalidRecords }),
  };
}
