// A member of a consumer group on the registry topic: the partitions the group assigns it
// are its share of the targets. It never commits offsets, so each assignment is read from
// the start of the partition (the current state), then followed. It tells its listener
// `revoked` before any new assignment (kafkajs rebalances eagerly: every member gives up
// everything, then rejoins) and keeps a lease: the last moment the broker can be sure to
// count it a member (a successful heartbeat or join, when the request was sent, plus the
// session timeout, less a margin). A member that has been paused or cut off past its lease
// stops at once, gives its partitions up and joins again as a new member.
import { backoffDefaults, backoffDelay, noopLogger, retry } from '@sitewatch/schema';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { createKafka, kafkajsRetry } from './connection.js';
import { toTransportError, TransportError } from './errors.js';
import { createInstanceTracker } from './instance.js';
import { resolveRegistryMemberOptions, type RegistryMemberOptions } from './registry-options.js';
import { ensureRegistryTopic, toRecord } from './registry-topic.js';

/** Counters of a registry member, for metrics. */
export interface RegistryMemberStats {
  /** Partitions held now. */
  partitions: number;
  /** Assignments received (one per group join). */
  assignments: number;
  /** Records handed to the listener. */
  records: number;
  /** Times the lease ran out while partitions were held (a paused process, a lost broker). */
  leaseLapses: number;
  /** Times the member left and joined again (after a lapse or a crash). */
  restarts: number;
}

/** A member of the group of one location on the registry topic. */
export interface RegistryMember {
  /**
   * Checks (or creates) the topic, joins the group, and resolves once the first assignment
   * came; while Kafka is unreachable it tries again with backoff. Rejects for what retrying
   * cannot mend (a missing or uncompacted topic, refused credentials) or a close().
   */
  start(): Promise<void>;
  /**
   * Whether this member may still act on its partitions: it holds some, and the group
   * cannot have given them to another member yet. Cheap and synchronous: ask it right
   * before acting (the scheduler asks it as each slot comes due).
   */
  leaseValid(): boolean;
  /** True while started, in the group and not closing. */
  ready(): boolean;
  stats(): RegistryMemberStats;
  /** Revokes every partition (told to the listener), leaves the group, disconnects. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * How much shorter than the session timeout the lease is: it covers the difference between
 * the wall clocks of the members, which decide what a slot is, and the broker's timing.
 */
export const leaseMarginMs = 1000;

/** A registry member; nothing happens before start(). */
export function createRegistryMember(options: RegistryMemberOptions): RegistryMember {
  const { settings, connection } = resolveRegistryMemberOptions(options);
  const { topic, groupId, listener, sessionTimeoutMs, heartbeatIntervalMs } = settings;
  const log = (options.logger ?? noopLogger).child({ component: 'kafka-registry', topic, groupId });
  const kafka = createKafka(connection, log, kafkajsRetry(5, 300, 10_000));
  const counters = { assignments: 0, records: 0, leaseLapses: 0, restarts: 0 };
  // Taking the place of a previous run keeps the lease rules: only a process that is gone is
  // removed, and a gone process checks nothing. A paused one is refused (instance.ts).
  const instance = createInstanceTracker({ kafka, groupId, instance: settings.instance, logger: log });
  const held = new Set<number>();
  // Monotonic times the last Heartbeat and SyncGroup requests were sent: a success proves membership from then on.
  const sentAt = new Map<string, number>();
  let leaseUntil = -Infinity;
  let joined = false;
  let restarting = false;
  let closing = false;
  const closeSignal = new AbortController();
  let started: Promise<void> | undefined;
  let joinWaiter: { resolve(): void; reject(error: Error): void } | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartAttempts = 0;
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    // Rejoining takes a member no time (it has no batch to finish); a member that does not
    // rejoin is out when its session expires, which its lease has done before.
    rebalanceTimeout: sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    // Heartbeats go out between fetches: a short wait keeps them on time.
    maxWaitTimeInMs: Math.min(1000, Math.floor(heartbeatIntervalMs / 2)),
    allowAutoTopicCreation: false,
    retry: { ...kafkajsRetry(5, 300, 10_000), restartOnFailure: async () => !closing },
  });

  function tell(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      log.error({ err, call: what }, 'the registry listener threw');
    }
  }

  function revokeAll(reason: string): void {
    joined = false;
    leaseUntil = -Infinity;
    if (held.size === 0) return;
    const partitions = [...held].sort((a, b) => a - b);
    held.clear();
    tell('revoked', () => listener.revoked(partitions));
    log.info({ partitions, reason }, 'registry partitions revoked');
  }

  async function eachBatch({ batch, isStale }: EachBatchPayload): Promise<void> {
    if (closing || restarting || isStale() || !held.has(batch.partition)) return;
    for (const message of batch.messages) {
      counters.records++;
      tell('record', () => listener.record(toRecord(batch.partition, message)));
    }
  }

  const run = () => consumer.run({ eachBatch, autoCommit: false });

  /** Leaves the group and joins again as a new member; retried with backoff until it works or the member closes. */
  async function rejoin(): Promise<void> {
    restarting = true;
    counters.restarts++;
    await consumer.stop().catch(() => undefined);
    restarting = false;
    if (closing) return;
    try {
      await consumer.connect();
      await run();
      restartAttempts = 0;
    } catch (error) {
      const delayMs = backoffDelay(backoffDefaults, restartAttempts++);
      log.error({ err: toTransportError(error), delayMs }, 'joining the registry group again failed; trying again');
      restartTimer = setTimeout(() => void rejoin(), delayMs);
    }
  }

  function checkLease(): void {
    if (held.size === 0 || restarting || closing || performance.now() < leaseUntil) return;
    counters.leaseLapses++;
    log.warn({ sessionTimeoutMs }, 'registry lease lapsed (paused, or cut off from the group): stopping its targets and joining again');
    revokeAll('lease lapsed');
    void rejoin();
  }

  consumer.on(consumer.events.REQUEST, ({ payload }) => {
    if (payload.apiName === 'Heartbeat' || payload.apiName === 'SyncGroup') sentAt.set(payload.apiName, performance.now() - payload.duration);
  });

  consumer.on(consumer.events.HEARTBEAT, () => {
    const proof = sentAt.get('Heartbeat');
    if (joined && !restarting && proof !== undefined) leaseUntil = Math.max(leaseUntil, proof + sessionTimeoutMs - leaseMarginMs);
  });

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    instance.joined(payload.memberId);
    if (closing || restarting) return;
    revokeAll('joined again');
    joined = true;
    restartAttempts = 0;
    counters.assignments++;
    leaseUntil = (sentAt.get('SyncGroup') ?? performance.now() - payload.duration) + sessionTimeoutMs - leaseMarginMs;
    const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    for (const partition of partitions) held.add(partition);
    log.info({ partitions, memberId: payload.memberId, durationMs: payload.duration }, 'registry partitions assigned');
    tell('assigned', () => listener.assigned(partitions));
    joinWaiter?.resolve();
  });

  consumer.on(consumer.events.REBALANCING, () => revokeAll('rebalancing'));

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    revokeAll('crashed');
    const err = toTransportError(payload.error);
    if (joinWaiter) return joinWaiter.reject(err);
    if (closing || restarting) return;
    if (payload.restart) return log.warn({ err, code: err.code }, 'the registry consumer crashed; kafkajs restarts it');
    log.error({ err, code: err.code }, 'the registry consumer crashed; restarting it');
    restartTimer = setTimeout(() => void rejoin(), backoffDelay(backoffDefaults, restartAttempts++));
  });

  async function startUp(): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureRegistryTopic(admin, topic, settings.createTopic, log);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const joinedOnce = new Promise<void>((resolve, reject) => (joinWaiter = { resolve, reject }));
      await instance.join(async () => {
        await run();
        await joinedOnce;
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw toTransportError(error);
    } finally {
      joinWaiter = undefined;
      await admin.disconnect().catch(() => undefined);
    }
    if (closing) throw new TransportError('ERR_TRANSPORT_CLOSED', 'the registry member was closed while starting');
    leaseTimer = setInterval(checkLease, Math.min(250, Math.floor(heartbeatIntervalMs / 2)));
    log.info({ sessionTimeoutMs, heartbeatIntervalMs }, 'registry member started');
  }

  /**
   * startUp() until it works, while Kafka is unreachable (startUp throws TransportErrors
   * only). A close() ends it: no attempt after it, which would join the group and wait for
   * an assignment that a closing member ignores (close() waited for it for ever).
   */
  function startUntilJoined(): Promise<void> {
    return retry(startUp, {
      backoff: backoffDefaults,
      signal: closeSignal.signal,
      onRetry: (error, attempt, delayMs) => {
        const err = toTransportError(error);
        log.warn({ err, code: err.code, attempt: attempt + 1, delayMs }, 'joining the registry group failed; retrying');
      },
    });
  }

  let closed: Promise<void> | undefined;
  function close(): Promise<void> {
    closed ??= (async () => {
      closing = true;
      closeSignal.abort();
      joinWaiter?.reject(new TransportError('ERR_TRANSPORT_CLOSED', 'the registry member was closed while starting'));
      clearInterval(leaseTimer);
      clearTimeout(restartTimer);
      revokeAll('closing');
      await started?.catch(() => undefined);
      await consumer.disconnect().then(
        () => instance.left(),
        (error: unknown) => log.warn({ err: toTransportError(error) }, 'leaving the registry group failed'),
      );
      log.info({ ...counters }, 'registry member closed');
    })();
    return closed;
  }

  return {
    start() {
      if (closing) return Promise.reject(new TransportError('ERR_TRANSPORT_CLOSED', 'the registry member is closed'));
      started ??= startUntilJoined();
      return started;
    },
    leaseValid() {
      const valid = held.size > 0 && performance.now() < leaseUntil;
      // Act on a lapse at once, but not inside the caller's own loop.
      if (!valid && held.size > 0) queueMicrotask(checkLease);
      return valid;
    },
    ready: () => joined && !closing,
    stats: () => ({ ...counters, partitions: held.size }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
