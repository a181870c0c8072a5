// A checker fleet, end to end: the built producer as checker processes, three of them in one
// location and one in another, sharing the targets that `sitewatch-targets apply` wrote to
// the registry. Through a checker joining, one leaving with SIGTERM, one killed with
// SIGKILL and one paused with SIGSTOP past the session timeout and resumed, no slot of any
// target is checked twice in a location; the gaps stay within their bounds; and an edited
// targets file takes effect within seconds in both locations.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { slotPhase } from '@sitewatch/checker';
import { decode, type CheckResult } from '@sitewatch/schema';
import { checkedAfter, longestGap, sessionTimeoutMs, slotsCheckedTwice, startFleet, type Fleet } from './support/fleet.js';
import type { AppProcess } from './support/processes.js';
import { waitFor } from './support/processes.js';
import { recordFigures } from './support/reconcile.js';

const intervalMs = 2000;
/** What a rebalance may take on top: the members notice it at their next heartbeat, rejoin, and read their partitions. */
const rebalanceMs = 5000;
const east = `east-${randomUUID().slice(0, 8)}`;
const west = `west-${randomUUID().slice(0, 8)}`;
let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet([east, west]);
}, 60_000);

afterAll(() => fleet?.close());

/** Waits until the given checkers hold every one of the registry's 6 partitions between them, each at least one. */
async function shared(...checkers: AppProcess[]): Promise<void> {
  await waitFor(
    () => `${checkers.length} checkers to share the partitions: ${checkers.map((c) => JSON.stringify(fleet.partitionsOf(c))).join(' ')}`,
    () => {
      const held = checkers.map((checker) => fleet.partitionsOf(checker) ?? []);
      return held.every((partitions) => partitions.length > 0) && new Set(held.flat()).size === 6 && held.flat().length === 6;
    },
    60_000,
  );
}

const site = (id: string, path = '/ok') => ({ id, url: `${fleet.sites.base}${path}` });

/**
 * Waits until every target is checked again in `location` after an event, and then once more
 * after that moment, which it returns: the event's gaps all end before it, and the next
 * event's all begin after it.
 */
async function settle(ids: readonly string[], location: string): Promise<number> {
  await checkedAfter(fleet, ids, location, Date.now());
  const settled = Date.now();
  await checkedAfter(fleet, ids, location, settled);
  return settled;
}

it('checks each slot of each target once per location through a join, SIGTERM, SIGKILL and SIGSTOP, and follows an applied file', async () => {
  const v1 = Array.from({ length: 18 }, (_, i) => site(`t${String(i).padStart(2, '0')}`));
  const ids = v1.map((target) => target.id);
  const defaults = { intervalMs, timeoutMs: 1000 };
  const first = await fleet.targets(['apply', fleet.targetsFile(v1, defaults)]);
  expect(first).toMatchObject({ code: 0, output: expect.stringContaining('18 added, 0 changed, 0 removed, 0 unchanged') });
  const startedAt = Date.now();

  const c1 = await fleet.startChecker(east);
  const c2 = await fleet.startChecker(east);
  const w1 = await fleet.startChecker(west);
  await shared(c1, c2);
  await settle(ids, east);
  await checkedAfter(fleet, ids, west, startedAt);

  // A checker joins.
  const joinAt = Date.now();
  const c3 = await fleet.startChecker(east);
  await shared(c1, c2, c3);
  const joinSettled = await settle(ids, east);

  // One leaves with SIGTERM: it leaves the group at once.
  const termAt = Date.now();
  expect(await c1.stop('SIGTERM')).toBe(0);
  await shared(c2, c3);
  const termTakeoverMs = Date.now() - termAt;
  const termSettled = await settle(ids, east);

  // One is killed: the group notices after the session timeout.
  const killAt = Date.now();
  expect(await c2.stop('SIGKILL')).toBe('SIGKILL');
  await shared(c3);
  const killTakeoverMs = Date.now() - killAt;
  const killSettled = await settle(ids, east);

  // One is paused past the session timeout, then resumed: it must know its lease is gone.
  const c4 = await fleet.startChecker(east);
  await shared(c3, c4);
  await settle(ids, east);
  const pauseAt = Date.now();
  c3.child.kill('SIGSTOP');
  // c4 holds everything only once the group has evicted c3: c3 has been paused past its session.
  await shared(c4);
  const pauseTakeoverMs = Date.now() - pauseAt;
  await checkedAfter(fleet, ids, east, Date.now());
  c3.child.kill('SIGCONT');
  await c3.waitForLog('registry lease lapsed (paused, or cut off from the group): stopping its targets and joining again');
  await shared(c3, c4);
  const pauseSettled = await settle(ids, east);

  // An edited file: three targets added, three changed (another URL), three removed.
  const v2 = [...v1.slice(0, 15).map((target, i) => (i < 3 ? site(target.id, '/ok?v=2') : target)), ...['n0', 'n1', 'n2'].map((id) => site(id))];
  const added = ['n0', 'n1', 'n2'];
  const changed = ids.slice(0, 3);
  const removed = ids.slice(15);
  const second = await fleet.targets(['apply', fleet.targetsFile(v2, defaults)]);
  expect(second).toMatchObject({ code: 0, output: expect.stringContaining('3 added, 3 changed, 3 removed, 12 unchanged') });
  const appliedAt = Date.now();
  for (const location of [east, west]) {
    await checkedAfter(fleet, [...added, ...changed], location, appliedAt);
    // Two more slots of every target: long enough for removed ones to have stopped.
    await checkedAfter(fleet, v2.map((target) => target.id), location, Date.now() + intervalMs);
  }

  for (const checker of [c3, c4, w1]) expect(await checker.stop('SIGTERM')).toBe(0);
  const decoded = (await fleet.kafka.readMessages(fleet.resultsTopic)).map((message) => decode(message.value));
  expect(decoded.filter((answer) => !answer.ok)).toEqual([]);
  const results = decoded.flatMap((answer) => (answer.ok ? [answer.value] : []));

  // Every slot of every target checked at most once per location, and on the target's own slots.
  expect(slotsCheckedTwice(results)).toEqual([]);
  expect(results.filter((r) => (Date.parse(r.scheduledAt) - slotPhase(r.targetId, intervalMs)) % intervalMs !== 0)).toEqual([]);

  const gaps = {
    join: longestGap(results, ids, east, joinAt, joinSettled),
    sigterm: longestGap(results, ids, east, termAt, termSettled),
    sigkill: longestGap(results, ids, east, killAt, killSettled),
    sigstop: longestGap(results, ids, east, pauseAt, pauseSettled),
    west: longestGap(results, ids.slice(3, 15), west, startedAt, Date.now()),
  };
  expect(gaps.join).toBeLessThan(intervalMs + rebalanceMs);
  expect(gaps.sigterm).toBeLessThan(intervalMs + rebalanceMs);
  expect(gaps.sigkill).toBeLessThan(intervalMs + sessionTimeoutMs + rebalanceMs);
  expect(gaps.sigstop).toBeLessThan(intervalMs + sessionTimeoutMs + rebalanceMs);
  expect(gaps.west).toBeLessThan(intervalMs + rebalanceMs);

  // The edited file, in both locations: how long after `apply` returned each change showed.
  const effect: Record<string, Record<string, number>> = {};
  for (const location of [east, west]) {
    const mine = results.filter((r) => r.probeId === location);
    const firstNew = (keep: (r: CheckResult) => boolean) => Math.min(...mine.filter(keep).map((r) => Date.parse(r.scheduledAt))) - appliedAt;
    // Negative when the last slot of the removed targets came before `apply` returned.
    const lastRemoved = Math.max(...mine.filter((r) => removed.includes(r.targetId)).map((r) => Date.parse(r.scheduledAt))) - appliedAt;
    effect[location] = { addedMs: firstNew((r) => added.includes(r.targetId)), changedMs: firstNew((r) => changed.includes(r.targetId) && r.url.endsWith('?v=2')), removedMs: lastRemoved };
    for (const id of changed) {
      const byTime = mine.filter((r) => r.targetId === id).sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt));
      const switched = byTime.findIndex((r) => r.url.endsWith('?v=2'));
      // Once a location checks the new URL, it never checks the old one again.
      expect(byTime.slice(switched).every((r) => r.url.endsWith('?v=2'))).toBe(true);
    }
    expect(effect[location]).toEqual({ addedMs: expect.any(Number), changedMs: expect.any(Number), removedMs: expect.any(Number) });
    expect(Math.max(...Object.values(effect[location]))).toBeLessThan(intervalMs + 5000);
  }

  const figures = { results: results.length, slotsCheckedTwice: 0, intervalMs, sessionTimeoutMs, gaps, termTakeoverMs, killTakeoverMs, pauseTakeoverMs, effect, durationMs: Date.now() - startedAt };
  recordFigures('fleet', figures);
  console.log(JSON.stringify(figures));
}, 300_000);
