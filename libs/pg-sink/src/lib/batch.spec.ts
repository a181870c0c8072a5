import { describe, expect, it } from '@jest/globals';
import { failureReasons } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import type { CheckResult } from '@sitewatch/schema';
import { rawColumns, reasonIds, toColumns } from './batch.js';

/** The column literals of one result (index 0, or `index` for messages), by column name. */
function row(result: CheckResult, settingsId = 1, probeId = 1, index?: number, certificateId: number | null = null): Record<string, string> {
  const literals = toColumns([result], { settings: [{ settingsId, targetId: 1 }], probes: [probeId], certificates: [certificateId] }, index === undefined ? undefined : [index]);
  return Object.fromEntries(rawColumns.map((column, i) => [column.name, literals[i]!]));
}

describe('a row', () => {
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
    expect(row(result, 11, 2, undefined, 7)).toMatchObject({
      id: '{0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}',
      checked_at: '{2026-11-27T11:00:00.250+01:00}',
      certificate_id: '{7}',
      schedule_lag_ms: '{250}',
      reason: `{${reasonIds.status}}`,
      status: '{503}',
      bytes_read: '{2147483647}',
      redirects: '{32767}',
      must_match_hit: '{f}',
      must_not_match_hit: '{NULL}',
      error_message: '{"bad\uFFFDgateway"}',
      settings_id: '{11}',
      probe_id: '{2}',
    });
  });

  it('stores no reason for an up check and null for phases it did not reach', () => {
    expect(row(makeCheckResult({ phases: { dnsMs: 3 } }))).toMatchObject({ reason: '{NULL}', dns_ms: '{3}', tcp_ms: '{NULL}', tls_ms: '{NULL}' });
  });

  it('names the result and the field it cannot store, by JSON Pointer into the batch', () => {
    const refused = (result: CheckResult, index: number, path: string, message: string | RegExp) =>
      expect(() => row(result, 1, 1, index)).toThrow(expect.objectContaining({ code: 'ERR_SINK_INVALID_BATCH', problems: [{ path, message: typeof message === 'string' ? message : expect.stringMatching(message) }] }));
    refused(makeCheckResult({ id: 'nope' }), 4, '/4/id', 'is not a UUID');
    refused(makeCheckResult({ scheduledAt: 'soon' }), 2, '/2/scheduledAt', 'is not a timestamp before the year 10000');
    refused(makeCheckResult({ tlsNotAfter: 'never' }), 1, '/1/tlsNotAfter', 'is not a timestamp before the year 10000');
    refused(makeCheckResult({ responseTimeMs: Number.NaN }), 0, '/0/responseTimeMs', 'is not a number');
    refused(makeCheckResult({ outcome: 'down', reason: 'gremlins' as never }), 0, '/0/reason', /^"gremlins" is not one this sink knows/);
  });

  it('has an id for every failure reason of the schema', () => {
    expect(Object.keys(reasonIds).sort()).toEqual([...failureReasons].sort());
    expect(new Set(Object.values(reasonIds)).size).toBe(failureReasons.length);
  });
});

describe('toColumns', () => {
  it('turns a batch into one array literal per column, index for index', () => {
    const batch = [makeCheckResult({ responseTimeMs: 1.5 }), makeCheckResult({ outcome: 'down', reason: 'dns', error: { code: 'ENOTFOUND', message: 'no "such" host' } })];
    const columns = toColumns(batch, { settings: [{ settingsId: 5, targetId: 1 }, { settingsId: 6, targetId: 1 }], probes: [1, 1], certificates: [null, 3] });
    expect(columns).toHaveLength(rawColumns.length);
    expect(columns[0]).toBe(`{${batch[0]!.id},${batch[1]!.id}}`);
    expect(columns[2]).toBe('{5,6}');
    expect(columns[3]).toBe('{NULL,3}');
    expect(columns[4]).toBe('{1.5,42.5}');
    expect(columns[14]).toBe(`{NULL,${reasonIds.dns}}`);
    expect(columns[19]).toBe('{NULL,"no \\"such\\" host"}');
  });
});
