import { describe, expect, it } from '@jest/globals';
import { failureReasons } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { reasonIds, resultColumns, toColumns, toRow } from './batch.js';

const column = (row: unknown[], name: string) => row[resultColumns.findIndex(([n]) => n === name)];

describe('toRow', () => {
  it('maps a down result onto the compact columns', () => {
    const result = makeCheckResult({
      id: '0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B',
      scheduledAt: '2026-11-27T10:00:00.000Z',
      startedAt: '2026-11-27T11:00:00.250+01:00',
      outcome: 'down',
      reason: 'status',
      statusCode: 503,
      regex: { mustMatch: { pattern: 'ok', matched: false } },
      tlsNotAfter: 'Sat, 01 May 2027 00:00:00 GMT',
      bytesRead: 5_000_000_000,
      redirects: 70_000,
      error: { code: 'HTTP_503', message: 'bad\u0000gateway' },
    });
    const row = toRow(result, 0, 11, 2);
    expect(row).toHaveLength(resultColumns.length);
    expect(column(row, 'id')).toBe('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    expect(column(row, 'checked_at')).toBe('2026-11-27T11:00:00.250+01:00');
    expect(column(row, 'tls_not_after')).toBe('2027-05-01T00:00:00.000Z');
    expect(column(row, 'schedule_lag_ms')).toBe(250);
    expect(column(row, 'reason')).toBe(reasonIds.status);
    expect(column(row, 'status')).toBe(503);
    expect(column(row, 'bytes_read')).toBe(2_147_483_647);
    expect(column(row, 'redirects')).toBe(32_767);
    expect(column(row, 'must_match_hit')).toBe(false);
    expect(column(row, 'must_not_match_hit')).toBeNull();
    expect(column(row, 'error_message')).toBe('bad\uFFFDgateway');
    expect([column(row, 'settings_id'), column(row, 'probe_id')]).toEqual([11, 2]);
  });

  it('stores no reason for an up check and null for phases it did not reach', () => {
    const row = toRow(makeCheckResult({ phases: { dnsMs: 3 } }), 0, 1, 1);
    expect(column(row, 'reason')).toBeNull();
    expect([column(row, 'dns_ms'), column(row, 'tcp_ms'), column(row, 'tls_ms')]).toEqual([3, null, null]);
  });

  it('names the result and the field it cannot store', () => {
    expect(() => toRow(makeCheckResult({ id: 'nope' }), 4, 1, 1)).toThrow('result 4: id is not a UUID');
    expect(() => toRow(makeCheckResult({ scheduledAt: 'soon' }), 2, 1, 1)).toThrow('result 2: scheduledAt is not a timestamp before the year 10000');
    expect(() => toRow(makeCheckResult({ responseTimeMs: Number.NaN }), 0, 1, 1)).toThrow('result 0: responseTimeMs is not a number');
    expect(() => toRow(makeCheckResult({ outcome: 'down', reason: 'gremlins' as never }), 0, 1, 1)).toThrow(/reason "gremlins" is not one this sink knows/);
  });

  it('has an id for every failure reason of the schema', () => {
    expect(Object.keys(reasonIds).sort()).toEqual([...failureReasons].sort());
    expect(new Set(Object.values(reasonIds)).size).toBe(failureReasons.length);
  });
});

describe('toColumns', () => {
  it('turns a batch into one array literal per column, index for index', () => {
    const batch = [makeCheckResult({ responseTimeMs: 1.5 }), makeCheckResult({ outcome: 'down', reason: 'dns', error: { code: 'ENOTFOUND', message: 'no "such" host' } })];
    const columns = toColumns(batch, { settings: [{ settingsId: 5, targetId: 1 }, { settingsId: 6, targetId: 1 }], probes: [1, 1] });
    expect(columns).toHaveLength(resultColumns.length);
    expect(columns[0]).toBe(`{${batch[0]!.id},${batch[1]!.id}}`);
    expect(columns[3]).toBe('{5,6}');
    expect(columns[4]).toBe('{1.5,42.5}');
    expect(columns[14]).toBe(`{NULL,${reasonIds.dns}}`);
    expect(columns[19]).toBe('{NULL,"no \\"such\\" host"}');
  });
});
