import { describe, expect, it } from '@jest/globals';
import { encodeTarget, type Logger } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createAssignedTargets } from './assigned-targets.js';
import { createScheduler } from './scheduler.js';

function setUp() {
  const warnings: Record<string, unknown>[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (fields) => void warnings.push(fields as Record<string, unknown>), error: () => undefined, child: () => logger };
  const scheduler = createScheduler({ check: async () => makeCheckResult(), onResult: () => undefined });
  const assigned = createAssignedTargets({ scheduler, logger });
  const scheduled = (id: string) => scheduler.has(id);
  return { scheduler, assigned, warnings, scheduled };
}

const site = (id: string, settings: object = {}) => encodeTarget({ id, url: `https://${id}.test/`, intervalMs: 30_000, ...settings });
const record = (partition: number, key: string | null, value: Uint8Array | null, offset = '0') => ({ partition, key, value, offset });

describe('createAssignedTargets', () => {
  it('schedules the targets of the partitions it holds as their records arrive, and nothing of other partitions', () => {
    const { assigned, scheduled } = setUp();
    assigned.assigned([0, 2]);
    assigned.record(record(0, 'a', site('a')));
    assigned.record(record(2, 'b', site('b')));
    assigned.record(record(1, 'c', site('c')));
    expect(['a', 'b', 'c'].map(scheduled)).toEqual([true, true, false]);
    expect(assigned.stats()).toEqual({ targets: 2, partitions: 2, invalidRecords: 0 });
  });

  it('changes a target with a newer record and removes it with a tombstone', () => {
    const { assigned, scheduler, scheduled } = setUp();
    assigned.assigned([0]);
    assigned.record(record(0, 'a', site('a')));
    assigned.record(record(0, 'a', site('a', { intervalMs: 60_000 })));
    expect(scheduler.stats().targets).toBe(1);
    assigned.record(record(0, 'a', null));
    expect(scheduled('a')).toBe(false);
    expect(assigned.stats()).toMatchObject({ targets: 0, invalidRecords: 0 });
  });

  it('takes the targets of a revoked partition out of the scheduler at once, and only those', () => {
    const { assigned, scheduled } = setUp();
    assigned.assigned([0, 1]);
    assigned.record(record(0, 'a', site('a')));
    assigned.record(record(1, 'b', site('b')));
    assigned.revoked([0]);
    expect([scheduled('a'), scheduled('b')]).toEqual([false, true]);
    assigned.record(record(0, 'c', site('c')));
    expect(scheduled('c')).toBe(false);
    expect(assigned.stats()).toMatchObject({ targets: 1, partitions: 1 });
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'ERR_SCHEMA_NOT_JSON'],
    ['of a newer version', Buffer.from(JSON.stringify({ v: 2, id: 'a', url: 'https://a.test/' })), 'ERR_SCHEMA_UNSUPPORTED_VERSION'],
    ['under another id', site('b'), 'ERR_SCHEMA_INVALID'],
    ['with a regex that does not compile', site('a', { mustMatch: '(unclosed' }), 'ERR_CHECKER_INVALID_TARGET'],
  ])('reports, counts and skips a record %s, and drops the target it replaces', (_name, value, code) => {
    const { assigned, warnings, scheduled } = setUp();
    assigned.assigned([0]);
    assigned.record(record(0, 'a', site('a')));
    assigned.record(record(0, 'a', value, '7'));
    expect(scheduled('a')).toBe(false);
    expect(assigned.stats().invalidRecords).toBe(1);
    expect(warnings).toEqual([expect.objectContaining({ partition: 0, offset: '7', targetId: 'a', code })]);
  });

  it('counts a record without a key', () => {
    const { assigned } = setUp();
    assigned.assigned([0]);
    assigned.record(record(0, null, site('a')));
    expect(assigned.stats()).toMatchObject({ targets: 0, invalidRecords: 1 });
  });

  it('moves a target whose newest record is in another partition', () => {
    const { assigned, scheduled } = setUp();
    assigned.assigned([0, 1]);
    assigned.record(record(0, 'a', site('a')));
    assigned.record(record(1, 'a', site('a', { intervalMs: 60_000 })));
    assigned.revoked([0]);
    expect(scheduled('a')).toBe(true);
    assigned.revoked([1]);
    expect(scheduled('a')).toBe(false);
  });
});
