// The checker fleet: this checker's share of the registry topic, as a member of the consumer
// group of its location. The member tells the assigned targets (which keep the scheduler in
// step); the scheduler asks the member's lease as each slot comes due.
import { createAssignedTargets, type Scheduler } from '@sitewatch/checker';
import { createRegistryMember, type RegistryMember, type TransportError } from '@sitewatch/kafka-transport';
import type { Logger } from '@sitewatch/schema';
import { checkerGroupId, registryOptions, type ProducerConfig } from './config.js';

/** What the producer's metrics read of the fleet. */
export interface FleetStats {
  partitions: number;
  assignments: number;
  invalidRecords: number;
  leaseLapses: number;
}

export interface Fleet {
  member: RegistryMember;
  stats(): FleetStats;
}

/**
 * Joins the group of `location` on the registry and keeps `scheduler` in step with the
 * partitions it is given. Calls `onFatal` when joining fails for good (a missing or
 * uncompacted topic, refused credentials); while Kafka is unreachable it keeps trying.
 */
export function joinFleet(config: ProducerConfig, location: string, scheduler: Scheduler, logger: Logger, onFatal: (error: TransportError) => void): Fleet {
  const assigned = createAssignedTargets({ scheduler, logger: logger.child({ component: 'registry-targets' }) });
  const member = createRegistryMember({ ...registryOptions(config), groupId: checkerGroupId(location), listener: assigned, logger });
  member.start().catch((error: TransportError) => error.code !== 'ERR_TRANSPORT_CLOSED' && onFatal(error));
  return {
    member,
    stats() {
      const { partitions, assignments, leaseLapses } = member.stats();
      return { partitions, assignments, leaseLapses, invalidRecords: assigned.stats().invalidRecords };
    },
  };
}
