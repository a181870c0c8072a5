// A group member's instance: a name, and a directory of this host where the member id it had
// in the group is kept between runs. A process restarted after a crash (`kill -9`, a kernel
// OOM kill) reads the id its previous run had and, when that process is certainly gone, has
// the broker remove the member as soon as its own join waits for it, so the group rebalances
// now instead of after the dead member's session timeout. (Removed before the join, it would
// leave the group empty, and a broker holds the first join of an empty group for
// group.initial.rebalance.delay.ms, 3 s by default.) A previous run that still runs (the same
// name given to two processes, or a paused process) is never removed: start-up is refused.
import fs from 'node:fs';
import path from 'node:path';
import { sleep, type Logger, type Problem } from '@sitewatch/schema';
import type { Kafka } from 'kafkajs';
import { TransportError } from './errors.js';
import { currentIdentity, describeProcess, fateOf, parseIdentity, type ProcessIdentity } from './process-identity.js';
import { removeGroupMember } from './remove-member.js';
import { stateDirectoryProblem, stateDirectorySchema, writeFileAtomically } from './state-directory.js';

/** Who this process is among the members of its group, so that a restart can take its place at once. */
export interface InstanceOptions {
  /** Names this process among those sharing `stateDirectory` (required; letters, digits, `.`, `_`, `-`). */
  name: string;
  /** A directory of this host where the member id is kept between runs (required; created when missing). */
  stateDirectory: string;
}

/** JSON Schema fragment of InstanceOptions. */
export const instanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'stateDirectory'],
  description: 'Take the place of this process\'s previous run at start-up (its group member is removed at once when that process is gone), instead of waiting for its session to time out.',
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$', description: 'This process among those sharing the state directory (e.g. writer-1); one name per process.' },
    stateDirectory: stateDirectorySchema,
  },
} as const;

/** What is wrong with `instance` beyond its schema (an unusable directory), by JSON Pointer. */
export function instanceProblems(instance: InstanceOptions | undefined, pointer = '/instance'): Problem[] {
  const problem = instance && stateDirectoryProblem(instance.stateDirectory, `${pointer}/stateDirectory`);
  return problem ? [problem] : [];
}

/** What the state file holds. */
interface MemberRecord extends ProcessIdentity {
  groupId: string;
  memberId: string;
}

/** See the module comment. */
export interface InstanceTracker {
  /**
   * Joins the group with `join` and, when a previous run of this instance left a member and
   * that process is gone, removes it once this join waits for it. Rejects with
   * ERR_TRANSPORT_IN_USE, before joining, when that process still runs.
   */
  join(join: () => Promise<void>): Promise<void>;
  /** After each join: keeps the member id (and reports another running process that wrote the file meanwhile). */
  joined(memberId: string): void;
  /** After leaving the group: forgets the member id (nothing to take over at the next start). */
  left(): void;
}

const untracked: InstanceTracker = { join: (join) => join(), joined: () => undefined, left: () => undefined };
// How long to look for this member's join waiting in the group before removing the old member anyway.
const joinWaitMs = 5000;

/** Resolves once the group is rebalancing (a join waits in it), or `done` settled, or after `joinWaitMs`. */
async function rebalancing(kafka: Kafka, groupId: string, done: Promise<unknown>): Promise<void> {
  let settled = false;
  void done.then(
    () => (settled = true),
    () => (settled = true),
  );
  const admin = kafka.admin();
  const deadline = performance.now() + joinWaitMs;
  try {
    await admin.connect();
    while (!settled && performance.now() < deadline) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'PreparingRebalance') return;
      await sleep(50);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The tracker of `instance` in `groupId`; one that does nothing without an instance. */
export function createInstanceTracker(options: { kafka: Kafka; groupId: string; instance?: InstanceOptions; logger: Logger }): InstanceTracker {
  const { kafka, groupId, instance } = options;
  if (!instance) return untracked;
  const log = options.logger.child({ instance: instance.name });
  const file = path.join(instance.stateDirectory, `${instance.name}.${encodeURIComponent(groupId)}.member.json`);
  const self = currentIdentity();
  let written: string | undefined;

  function read(): MemberRecord | undefined {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const record = JSON.parse(text) as Record<string, unknown>;
      const identity = parseIdentity(record);
      if (identity && record.groupId === groupId && typeof record.memberId === 'string') return { ...identity, groupId, memberId: record.memberId };
    } catch {
      // reported below
    }
    log.warn({ file }, 'the instance state file is not one this package wrote; ignoring it');
    return undefined;
  }

  async function join(joinGroup: () => Promise<void>): Promise<void> {
    const previous = read();
    if (!previous) return joinGroup();
    const fate = fateOf(previous, self);
    const before = { memberId: previous.memberId, previous: describeProcess(previous) };
    if (fate === 'running') {
      throw new TransportError(
        'ERR_TRANSPORT_IN_USE',
        `instance ${instance!.name} of group ${groupId} is in use by process ${previous.pid}, which still runs on this host (paused, or given the same instance name): give each process its own name`,
        { retriable: false },
      );
    }
    if (fate === 'unknown') {
      log.info({ ...before, file }, 'the previous run of this instance was on another host; its member leaves the group when its session times out');
      return joinGroup();
    }
    const started = performance.now();
    const joining = joinGroup();
    try {
      await rebalancing(kafka, groupId, joining);
      const outcome = await removeGroupMember(kafka, groupId, previous.memberId);
      log.info({ ...before, outcome, durationMs: Math.round(performance.now() - started) }, 'took the place of the previous run in the group');
    } catch (err) {
      log.warn({ ...before, err }, 'removing the previous run from the group failed; its member leaves when its session times out');
    }
    await joining;
  }

  function joined(memberId: string): void {
    if (memberId === written) return;
    const current = read();
    if (current && fateOf(current, self) === 'running') {
      log.error({ file, other: describeProcess(current) }, 'another running process uses this instance name and state directory: give each process its own name');
    }
    try {
      fs.mkdirSync(instance!.stateDirectory, { recursive: true });
      writeFileAtomically(file, JSON.stringify({ ...self, groupId, memberId, writtenAt: new Date().toISOString() }));
      written = memberId;
    } catch (err) {
      log.warn({ err, file }, 'cannot keep the member id: a restart will wait for the session timeout');
    }
  }

  function left(): void {
    if (written === undefined || read()?.memberId !== written) return;
    fs.rmSync(file, { force: true });
    written = undefined;
  }

  return { join, joined, left };
}
