// Small-integer ids of targets, their settings (URL and body patterns), probes and TLS
// certificates' expiry, looked up or created once and cached: a result row stores
// 4 + 2 + 4 bytes instead of its texts and timestamp.
import { createHash } from 'node:crypto';
import type { CheckResult } from '@sitewatch/schema';
import type postgres from 'postgres';
import { arrayLiteral } from './pg-array.js';

/** Where a result's settings row is, and whose target it is. */
export interface SettingsIds {
  settingsId: number;
  targetId: number;
}

/** The id cache of one sink. */
export interface Catalog {
  /** Ids of every result's settings and probe (in the order of `results`), creating the rows that are missing. */
  resolve(results: readonly CheckResult[]): Promise<ResolvedIds>;
}

/** Ids of a batch's settings, probes and certificates, index for index. */
export interface ResolvedIds {
  settings: SettingsIds[];
  probes: number[];
  /** certificates.id of the result's tlsNotAfter; null without one (or one that is not a timestamp: the row refuses it). */
  certificates: (number | null)[];
}

/** The identifiers of the catalog tables, schema-qualified. */
export interface CatalogTables {
  targets: postgres.Helper<string>;
  settings: postgres.Helper<string>;
  probes: postgres.Helper<string>;
  certificates: postgres.Helper<string>;
}

// Enough for tens of thousands of targets; a runaway stream of distinct settings only
// costs a refill, never memory.
const maxEntries = 200_000;

interface SettingsRow {
  key: string;
  url: string;
  mustMatch: string | null;
  mustNotMatch: string | null;
}

/** The cache key of a result's settings: target, URL and patterns. */
export function settingsKey(result: CheckResult): string {
  const regex = result.regex;
  // NUL cannot occur in the parts (PostgreSQL text refuses it), so it separates them unambiguously.
  if (regex === undefined) return `${result.targetId}\u0000${result.url}`;
  return `${result.targetId}\u0000${result.url}\u0000${regex.mustMatch?.pattern ?? '\u0001'}\u0000${regex.mustNotMatch?.pattern ?? '\u0001'}`;
}

/** A UUID-shaped digest of URL and patterns: unique per target in target_settings. */
export function settingsFingerprint(url: string, mustMatch: string | null, mustNotMatch: string | null): string {
  const hex = createHash('sha256').update(JSON.stringify([url, mustMatch, mustNotMatch])).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Creates the id cache over `sql`. */
export function createCatalog(sql: postgres.Sql, tables: CatalogTables): Catalog {
  const settingsIds = new Map<string, SettingsIds>();
  const probeIds = new Map<string, number>();
  // By not-after in ms since the epoch.
  const certificateIds = new Map<number, number>();

  // `where not exists` first: an identity value is used up by every insert attempt, even
  // one that ends in a conflict, and probes have a smallint id.
  async function ensureKeys(table: postgres.Helper<string>, keys: string[]): Promise<Map<string, number>> {
    const list = arrayLiteral([...keys].sort());
    await sql`
      insert into ${table} (key)
      select candidate from unnest(${list}::text[]) as candidate
      where not exists (select 1 from ${table} as existing where existing.key = candidate)
      on conflict (key) do nothing`;
    const rows = await sql<{ id: number; key: string }[]>`select id, key from ${table} where key = any(${list}::text[])`;
    return new Map(rows.map((row) => [row.key, row.id]));
  }

  async function ensureSettings(missing: Map<string, SettingsRow>): Promise<void> {
    const rows = [...missing.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const idsByKey = await ensureKeys(tables.targets, [...new Set(rows.map(([, row]) => row.key))]);
    const targetIdList = rows.map(([, row]) => idsByKey.get(row.key)!);
    const fingerprints = rows.map(([, row]) => settingsFingerprint(row.url, row.mustMatch, row.mustNotMatch));
    const targetIdArray = arrayLiteral(targetIdList);
    const fingerprintArray = arrayLiteral(fingerprints);
    const urlArray = arrayLiteral(rows.map(([, row]) => row.url));
    const mustMatchArray = arrayLiteral(rows.map(([, row]) => row.mustMatch));
    const mustNotMatchArray = arrayLiteral(rows.map(([, row]) => row.mustNotMatch));
    await sql`
      insert into ${tables.settings} (target_id, fingerprint, url, must_match, must_not_match)
      select * from unnest(${targetIdArray}::integer[], ${fingerprintArray}::uuid[], ${urlArray}::text[], ${mustMatchArray}::text[], ${mustNotMatchArray}::text[])
        as given (target_id, fingerprint, url, must_match, must_not_match)
      where not exists (select 1 from ${tables.settings} as existing where existing.target_id = given.target_id and existing.fingerprint = given.fingerprint)
      on conflict (target_id, fingerprint) do nothing`;
    const found = await sql<{ id: number; targetId: number; fingerprint: string }[]>`
      select stored.id, stored.target_id as "targetId", stored.fingerprint::text as fingerprint
      from ${tables.settings} as stored
      join unnest(${targetIdArray}::integer[], ${fingerprintArray}::uuid[]) as given (target_id, fingerprint) using (target_id, fingerprint)`;
    const idByPair = new Map(found.map((row) => [`${row.targetId}/${row.fingerprint}`, row.id]));
    rows.forEach(([cacheKey], index) => {
      const targetId = targetIdList[index]!;
      settingsIds.set(cacheKey, { settingsId: idByPair.get(`${targetId}/${fingerprints[index]}`)!, targetId });
    });
  }

  async function ensureCertificates(times: number[]): Promise<void> {
    const list = arrayLiteral(times.sort((a, b) => a - b).map((ms) => new Date(ms).toISOString()));
    await sql`
      insert into ${tables.certificates} (not_after)
      select candidate from unnest(${list}::timestamptz[]) as candidate
      where not exists (select 1 from ${tables.certificates} as existing where existing.not_after = candidate)
      on conflict (not_after) do nothing`;
    const rows = await sql<{ id: number; ms: number }[]>`
      select id, (extract(epoch from not_after) * 1000)::float8 as ms from ${tables.certificates} where not_after = any(${list}::timestamptz[])`;
    for (const row of rows) certificateIds.set(row.ms, row.id);
  }

  async function resolveCertificates(results: readonly CheckResult[]): Promise<(number | null)[]> {
    if (certificateIds.size > maxEntries) certificateIds.clear();
    const times = results.map((result) => (result.tlsNotAfter === undefined ? Number.NaN : Date.parse(result.tlsNotAfter)));
    const missing = new Set(times.filter((ms) => Number.isFinite(ms) && !certificateIds.has(ms)));
    if (missing.size > 0) await ensureCertificates([...missing]);
    return times.map((ms) => (Number.isFinite(ms) ? (certificateIds.get(ms) ?? null) : null));
  }

  async function resolve(results: readonly CheckResult[]): Promise<ResolvedIds> {
    if (settingsIds.size > maxEntries) settingsIds.clear();
    const keys = results.map(settingsKey);
    const missingSettings = new Map<string, SettingsRow>();
    const missingProbes = new Set<string>();
    results.forEach((result, index) => {
      const key = keys[index]!;
      if (!settingsIds.has(key)) {
        const regex = result.regex;
        missingSettings.set(key, { key: result.targetId, url: result.url, mustMatch: regex?.mustMatch?.pattern ?? null, mustNotMatch: regex?.mustNotMatch?.pattern ?? null });
      }
      if (!probeIds.has(result.probeId)) missingProbes.add(result.probeId);
    });
    if (missingSettings.size > 0) await ensureSettings(missingSettings);
    if (missingProbes.size > 0) for (const [key, id] of await ensureKeys(tables.probes, [...missingProbes])) probeIds.set(key, id);
    const certificates = await resolveCertificates(results);
    return { settings: keys.map((key) => settingsIds.get(key)!), probes: results.map((result) => probeIds.get(result.probeId)!), certificates };
  }

  return { resolve };
}
