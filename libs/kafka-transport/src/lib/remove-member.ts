// Removing a member from a consumer group by its id: the LeaveGroup request the member itself
// sends when it closes, sent on its behalf. kafkajs sends LeaveGroup only for its own
// consumer, and its admin client has no call for it; its broker-level request is reached
// through the client's own cluster factory (a private symbol of the kafkajs client), so the
// request goes over the same brokers, TLS, SASL, timeouts and logger as every other
// connection of the client. kafkajs 2.2.4 is its last release: the internals do not move.
// The integration tests exercise it against the real broker, over PLAINTEXT and mutual TLS.
import type { Kafka } from 'kafkajs';
import { toTransportError, TransportError } from './errors.js';

/** The parts of kafkajs' internal cluster and broker this uses. */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{ leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown> }>;
}

const createClusterSymbol = 'private:Kafka:createCluster';
// The broker's answers for a member it does not know: already gone (left, or its session ended).
const unknownMember = new Set(['UNKNOWN_MEMBER_ID', 'GROUP_ID_NOT_FOUND']);

function clusterOf(kafka: Kafka): Cluster {
  const key = Object.getOwnPropertySymbols(kafka).find((symbol) => symbol.description === createClusterSymbol);
  const create = key === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== 'function') {
    throw new TransportError('ERR_TRANSPORT_KAFKA', 'this kafkajs cannot remove a group member (it needs kafkajs 2.2.x internals)', { retriable: false });
  }
  return (create as (options: object) => Cluster)({ allowAutoTopicCreation: false });
}

/**
 * Has the group coordinator remove `memberId` from `groupId` now, as if the member had left:
 * the group rebalances without waiting for the member's session to time out. Resolves
 * `removed`, or `gone` when the group no longer had the member.
 */
export async function removeGroupMember(kafka: Kafka, groupId: string, memberId: string): Promise<'removed' | 'gone'> {
  const cluster = clusterOf(kafka);
  try {
    await cluster.connect();
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
    return 'removed';
  } catch (error) {
    if (unknownMember.has((error as { type?: string }).type ?? '')) return 'gone';
    throw toTransportError(error);
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}
