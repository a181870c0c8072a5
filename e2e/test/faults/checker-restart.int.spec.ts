// Fault 8: a checker of a fleet is killed with SIGKILL and started again at once, as a
// supervisor would. With `checker.registry.instance` the new process takes the dead member's
// place in the location's group when it starts: its share is checked again within about an
// interval and the rebalance, although the session timeout is 60 s (without it the dead
// member's partitions stay nobody's for the whole session). Another checker of the location
// runs throughout; no slot of any target is checked twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { checkedAfter, longestGap, slotsCheckedTwice, startFleet, type Fleet } from '../support/fleet.js';
import { waitFor } from '../support/processes.js';
import { recordFigures } from '../support/reconcile.js';

const sessionTimeoutMs = 60_000;
const intervalMs = 2000;
const location = `east-${randomUUID().slice(0, 8)}`;
let fleet: Fleet;
let stateDirectory: string;

beforeAll(async () => {
  stateDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-checker-state-'));
  fleet = await startFleet([location], { registry: { sessionTimeoutMs, heartbeatIntervalMs: 1000 }, stateDirectory });
}, 60_000);

afterAll(async () => {
  await fleet?.close();
  if (stateDirectory) fs.rmSync(stateDirectory, { recursive: true, force: true });
});

it('checks a killed checker\'s share again within seconds of its restart, and no slot twice', async () => {
  const targets = Array.from({ length: 18 }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}`, url: `${fleet.sites.base}/ok` }));
  const ids = targets.map((target) => target.id);
  expect(await fleet.targets(['apply', fleet.targetsFile(targets, { intervalMs, timeoutMs: 1000 })])).toMatchObject({ code: 0 });
  const a = await fleet.startChecker(location, 'checker-a');
  const b = await fleet.startChecker(location, 'checker-b');
  await waitFor('both checkers to hold partitions', () => (fleet.partitionsOf(a)?.length ?? 0) > 0 && (fleet.partitionsOf(b)?.length ?? 0) > 0, 60_000);
  await checkedAfter(fleet, ids, location, Date.now());

  expect(await a.stop('SIGKILL')).toBe('SIGKILL');
  const killed = Date.now();
  const restarted = await fleet.startChecker(location, 'checker-a');
  const startedMs = Date.now() - killed;
  await checkedAfter(fleet, ids, location, killed, sessionTimeoutMs);
  const settled = Date.now();
  await checkedAfter(fleet, ids, location, settled);

  const results = [...fleet.results.values()];
  const twice = slotsCheckedTwice(results);
  // Every target's first slot checked after the kill (and so after the restart began): the share is back by the latest of them.
  const firstAfter = ids.map((id) => Math.min(...results.filter((r) => r.targetId === id && Date.parse(r.scheduledAt) > killed).map((r) => Date.parse(r.scheduledAt))));
  const recheckedMs = Math.max(...firstAfter) - killed;
  const gapMs = longestGap(results, ids, location, killed, settled);
  recordFigures('checker-restart', { sessionTimeoutMs, intervalMs, results: results.length, slotsCheckedTwice: twice.length, startedMs, recheckedMs, longestGapMs: gapMs });
  expect(twice).toEqual([]);
  expect(restarted.logs().some((entry) => entry.msg === 'took the place of the previous run in the group' && entry.outcome === 'removed')).toBe(true);
  // Measured and reported above; asserted only against what the session timeout would have cost.
  expect(recheckedMs).toBeLessThan(sessionTimeoutMs / 2);
}, 180_000);
