// What `sitewatch-alerts list` shows: the open incidents, the deliveries still to go out (due,
// retrying, or held to the end of a maintenance window), those that failed for good (refused
// by the service, or abandoned after giveUpAfterMs), and the latest error of each channel.
import type postgres from 'postgres';
import { createTables } from './tables.js';

/** An open incident. */
export interface OpenIncident {
  id: number;
  target: string;
  kind: 'down' | 'degraded';
  openedAt: Date;
  reason: string;
  locations: string[];
  /** Its first notification was queued (false while a maintenance window holds it back). */
  notified: boolean;
}

/** A delivery not sent. */
export interface UnsentDelivery {
  channel: string;
  kind: string;
  target: string;
  incident: number | null;
  attempts: number;
  createdAt: Date;
  /** Pending: when it is due (in the past: due now, or in flight). */
  nextAttemptAt: Date;
  /** Failed: when it was refused or abandoned; null for a pending one. */
  failedAt: Date | null;
  /** Failed because the service refused it (else: abandoned after giveUpAfterMs). */
  refused: boolean;
  lastError: string | null;
}

/** The latest error of a channel. */
export interface ChannelError {
  channel: string;
  at: Date;
  error: string;
}

/** The state of the alerts: see the module comment. */
export interface OutboxReport {
  openIncidents: OpenIncident[];
  pending: UnsentDelivery[];
  /** The latest `limit`, oldest first. */
  failed: UnsentDelivery[];
  lastErrors: ChannelError[];
}

/** Reads the report from the alerts tables of `schema`; `limit` bounds each list (default 100). */
export async function readOutbox(sql: postgres.Sql, options: { schema?: string; limit?: number } = {}): Promise<OutboxReport> {
  const t = createTables(sql, options.schema ?? 'sitewatch');
  const limit = options.limit ?? 100;
  const deliveries = (failed: boolean) => sql<UnsentDelivery[]>`
    select d.channel, n.kind, n.target, n.incident_id::float8 as incident, d.attempts, n.created_at as "createdAt", d.next_attempt_at as "nextAttemptAt",
      d.abandoned_at as "failedAt", d.refused, d.last_error as "lastError"
    from ${t.deliveries} as d join ${t.notifications} as n on n.id = d.notification_id
    where d.sent_at is null and (d.abandoned_at is not null) = ${failed}
    order by ${failed ? sql`d.abandoned_at desc` : sql`d.next_attempt_at`}, n.id limit ${limit}`;
  const [openIncidents, pending, failed, lastErrors] = await Promise.all([
    sql<OpenIncident[]>`
      select id::float8 as id, target, kind, opened_at as "openedAt", reason, locations, notified_at is not null as notified
      from ${t.incidents} where resolved_at is null order by opened_at, id limit ${limit}`,
    deliveries(false),
    deliveries(true),
    sql<ChannelError[]>`
      select distinct on (channel) channel, last_error_at as at, last_error as error
      from ${t.deliveries} where last_error_at is not null and last_error is not null
      order by channel, last_error_at desc`,
  ]);
  return { openIncidents, pending, failed: failed.reverse(), lastErrors };
}
