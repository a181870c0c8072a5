// The targets the sink has seen, with the URL of their latest settings.
import type postgres from 'postgres';
import type { Tables } from './tables.js';

/** A target known to the database. */
export interface KnownTarget {
  /** The target id (CheckResult.targetId). */
  id: string;
  /** The URL it was last checked with (full: a page shows it as its display rules allow). */
  url: string | null;
  /** When its first result was stored. */
  firstSeen: Date;
}

/** Every target, by id. */
export async function readTargets(sql: postgres.Sql, tables: Tables): Promise<KnownTarget[]> {
  return sql<KnownTarget[]>`
    select t.key as id, s.url, t.first_seen as "firstSeen"
    from ${tables.targets} as t
    left join lateral (
      select url from ${tables.settings} where target_id = t.id order by first_seen desc, id desc limit 1
    ) as s on true
    order by t.key`;
}
