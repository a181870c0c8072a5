// The notifier: one loop per channel sends the deliveries the outbox holds for it, and a
// housekeeping loop queues reminders (and the "down" of incidents that outlasted their
// maintenance window) and refreshes the figures. Several processes may run it: a delivery is
// claimed with FOR UPDATE SKIP LOCKED and leased (next_attempt_at moved past the send's
// deadline), a reminder is queued in the transaction that moves next_reminder_at. Sending
// happens outside any transaction, so a slow receiver holds no database connection.
import { transaction } from '@sitewatch/pg-sink';
import { backoffDelay, isSitewatchError, sleep, type Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import type { Channel, DeliveryReceipt } from './channels/index.js';
import { insertNotification } from './incident-writes.js';
import { incidentColumns, type IncidentRecord } from './incident.js';
import type { ResolvedAlertsOptions } from './options.js';
import { isIncidentPayload, notificationPayload, type NotificationKind, type NotificationPayload } from './payload.js';
import type { Rules } from './rules.js';
import type { Tables } from './tables.js';

/** What the notifier did and what waits, for metrics. */
export interface NotifierStats {
  /** Deliveries sent by this process, by channel. */
  sent: Record<string, number>;
  /** Failed attempts by this process, by channel (each retried, abandoned or refused). */
  failed: Record<string, number>;
  /** Deliveries this process gave up on (giveUpAfterMs), by channel. */
  abandoned: Record<string, number>;
  /** Deliveries the service refused for good (a 4xx other than 408 and 429), by channel: not tried again. */
  refused: Record<string, number>;
  /** From the database (all processes), refreshed every few seconds: open incidents. */
  openIncidents: number;
  /** Of those, how many of each kind. */
  openByKind: { down: number; degraded: number };
  /** Targets with an open degraded incident. */
  degradedTargets: string[];
  /** The expiry of each target's certificate (its latest https check), Unix seconds. */
  certificateExpiry: Record<string, number>;
  /** Deliveries not sent yet (retrying, held to a maintenance window's end, or waiting for a free channel loop). */
  pending: number;
  /** Age of the oldest notification with a delivery due or failing, seconds (0: none). */
  oldestPendingSeconds: number;
  /** Batches whose evaluation failed for good (their results stored, their alerts skipped). */
  skippedBatches: number;
}

/** The notifier: see `createNotifier()`. */
export interface Notifier {
  stats(): NotifierStats;
  /** Stops the loops after the sends in flight (each bounded by its channel's timeout), then closes the channels. Idempotent. */
  close(): Promise<void>;
}

/** What the notifier needs. */
export interface NotifierContext {
  sql: postgres.Sql;
  tables: Tables;
  rules: Rules;
  channels: Channel[];
  settings: ResolvedAlertsOptions['notifier'];
  /** The relative slow rule's refresh (relative-slow.ts), run by the housekeeping loop. */
  relative: { refresh(): Promise<boolean> };
  statusPageUrl?: string;
  now: () => Date;
  log: Logger;
}

interface Claimed {
  notificationId: number;
  channel: string;
  idempotencyKey: string;
  attempts: number;
  kind: NotificationKind;
  payload: NotificationPayload;
  createdAt: Date;
}

const statsEveryMs = 5000;
/** The longest wait a service's Retry-After gets: past it, the delivery is tried then anyway. */
export const maxRetryAfterMs = 3_600_000;
// Database trouble: the loops back off from a second to half a minute.
const databaseRetry = { initialMs: 1000, maxMs: 30_000 };

/** Starts the loops. */
export function createNotifier(context: NotifierContext): Notifier {
  const { sql, tables: t, settings, log } = context;
  const stopping = new AbortController();
  const counts = { sent: {} as Record<string, number>, failed: {} as Record<string, number>, abandoned: {} as Record<string, number>, refused: {} as Record<string, number> };
  const figures = { openIncidents: 0, openByKind: { down: 0, degraded: 0 }, degradedTargets: [] as string[], certificateExpiry: {} as Record<string, number>, pending: 0, oldestPendingSeconds: 0 };
  const count = (what: keyof typeof counts, channel: string) => (counts[what][channel] = (counts[what][channel] ?? 0) + 1);
  /** Claims up to 10 due deliveries of a channel, oldest first, never one whose target has an earlier notification unsent on it (so a receiver hears of a target in order). */
  function claim(channel: string, timeoutMs: number): Promise<Claimed[]> {
    const now = context.now();
    // An attempt ends at the channel's timeout; the rest of the lease is for recording it.
    const leaseMs = 2 * timeoutMs;
    return sql<Claimed[]>`
      update ${t.deliveries} as d set attempts = d.attempts + 1, next_attempt_at = ${new Date(now.getTime() + leaseMs)}
      from ${t.notifications} as n
      where n.id = d.notification_id and (d.notification_id, d.channel) in (
        select c.notification_id, c.channel from ${t.deliveries} as c join ${t.notifications} as cn on cn.id = c.notification_id
        where c.channel = ${channel} and c.sent_at is null and c.abandoned_at is null and c.next_attempt_at <= ${now}
          and not exists (
            select 1 from ${t.notifications} as earlier join ${t.deliveries} as e on e.notification_id = earlier.id and e.channel = c.channel
            where earlier.target = cn.target and earlier.id < cn.id and e.sent_at is null and e.abandoned_at is null)
        order by c.next_attempt_at, c.notification_id
        limit 10
        for update of c skip locked)
      returning d.notification_id::float8 as "notificationId", d.channel, d.idempotency_key::text as "idempotencyKey", d.attempts,
        n.kind, n.payload, n.created_at as "createdAt"`;
  }

  const rowOf = (claimed: Claimed) => sql`notification_id = ${claimed.notificationId} and channel = ${claimed.channel}`;

  async function deliver(channel: Channel, claimed: Claimed): Promise<void> {
    const incident = isIncidentPayload(claimed.payload) ? claimed.payload.incident.id : null;
    const fields = { channel: channel.name, kind: claimed.kind, incident, target: claimed.payload.target, attempt: claimed.attempts };
    let receipt: DeliveryReceipt;
    try {
      const delivery = { idempotencyKey: claimed.idempotencyKey, payload: claimed.payload, body: JSON.stringify(claimed.payload), attempt: claimed.attempts };
      // Not cut short by close(): a send in flight ends within its deadline, and is recorded.
      receipt = await channel.send(delivery, AbortSignal.timeout(channel.timeoutMs));
    } catch (error) {
      await failed(channel, claimed, error, fields);
      return;
    }
    // The service's answer is not logged: it may echo what the service knows the channel by (an ntfy topic).
    if (receipt.sent) {
      count('sent', channel.name);
      log.info(fields, 'notification sent');
    } else log.info({ ...fields, reason: receipt.answer }, 'notification not sent: nothing to send on this channel');
    await sql`update ${t.deliveries} set sent_at = ${context.now()}, last_error = null where ${rowOf(claimed)}`;
  }

  /** Records a failed attempt: refused for good, abandoned after giveUpAfterMs, or due again at the service's Retry-After or after the backoff. */
  async function failed(channel: Channel, claimed: Claimed, error: unknown, fields: Record<string, unknown>): Promise<void> {
    const where = rowOf(claimed);
    count('failed', channel.name);
    const message = error instanceof Error ? error.message : String(error);
    const now = context.now();
    if (isSitewatchError(error, ['ERR_ALERTS_DELIVERY']) && !error.retriable) {
      count('refused', channel.name);
      log.error({ ...fields, error: message }, 'notification refused by the service: not tried again');
      await sql`update ${t.deliveries} set abandoned_at = ${now}, refused = true, last_error = ${message}, last_error_at = ${now} where ${where}`;
      return;
    }
    if (now.getTime() - claimed.createdAt.getTime() >= settings.giveUpAfterMs) {
      count('abandoned', channel.name);
      log.error({ ...fields, error: message }, 'notification abandoned: still failing after giveUpAfterMs');
      await sql`update ${t.deliveries} set abandoned_at = ${now}, last_error = ${message}, last_error_at = ${now} where ${where}`;
      return;
    }
    const asked = (error as { retryAfterMs?: unknown }).retryAfterMs;
    const delayMs = typeof asked === 'number' ? Math.min(asked, maxRetryAfterMs) : backoffDelay(settings.retry, claimed.attempts - 1);
    log.warn({ ...fields, error: message, retryInMs: delayMs, ...(typeof asked === 'number' ? { retryAfterMs: asked } : {}) }, 'notification failed; retrying');
    await sql`update ${t.deliveries} set next_attempt_at = ${new Date(now.getTime() + delayMs)}, last_error = ${message}, last_error_at = ${now} where ${where}`;
  }

  /** Runs `round` until close(): again at once when it did something, after pollIntervalMs when not, backing off while it fails. */
  async function loop(name: string, round: () => Promise<boolean>): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        const busy = await round();
        if (failures > 0) log.info({ loop: name }, 'notifier reaches the database again');
        failures = 0;
        if (!busy) await sleep(settings.pollIntervalMs, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) break;
        if (failures === 0) log.warn({ loop: name, err: error }, 'notifier cannot reach the database; retrying');
        await sleep(backoffDelay(databaseRetry, failures++), stopping.signal);
      }
    }
  }

  const channelRound = (channel: Channel) => async () => {
    const claimed = await claim(channel.name, channel.timeoutMs);
    await Promise.all(claimed.map((row) => deliver(channel, row)));
    return claimed.length > 0;
  };

  /** Queues due reminders, and the notifications of incidents held back by a maintenance window that has ended. */
  function reminders(): Promise<void> {
    const now = context.now();
    return transaction(sql, async (tx) => {
      const due = await tx<(IncidentRecord & { notified: boolean; reminders: number })[]>`
        select ${tx.unsafe(incidentColumns)}, notified_at is not null as notified, reminders from ${t.incidents}
        where resolved_at is null and (notified_at is null or next_reminder_at <= ${now})
        order by id limit 100
        for update skip locked`;
      for (const incident of due) await remind(tx, incident, now);
    });
  }

  async function remind(tx: postgres.TransactionSql, incident: IncidentRecord & { notified: boolean; reminders: number }, now: Date): Promise<void> {
    const rule = context.rules.ruleFor(incident.target);
    const windowEnd = context.rules.maintenanceEnd(incident.target, now.getTime());
    const next = (ms: number | undefined) => (ms === undefined ? null : new Date(now.getTime() + ms));
    if (!incident.notified) {
      if (windowEnd !== undefined) return;
      // Its "down" or "degraded" (and a "down" it was escalated with meanwhile), in order.
      await tx`
        insert into ${t.deliveries} (notification_id, channel, next_attempt_at)
        select n.id, channel, ${now} from ${t.notifications} as n, unnest(${rule.channels}::text[]) as channel
        where n.incident_id = ${incident.id} and not exists (select 1 from ${t.deliveries} as d where d.notification_id = n.id)`;
      await tx`update ${t.incidents} set notified_at = ${now}, next_reminder_at = ${next(rule.remindEveryMs)} where id = ${incident.id}`;
    } else if (windowEnd !== undefined || rule.remindEveryMs === undefined) {
      // Inside a window: the next one comes at its end. No reminders (any more): none.
      await tx`update ${t.incidents} set next_reminder_at = ${windowEnd === undefined ? null : new Date(windowEnd)} where id = ${incident.id}`;
    } else {
      const reminder = incident.reminders + 1;
      const payload = notificationPayload('reminder', incident, { now, reminder, ...(context.statusPageUrl ? { statusPageUrl: context.statusPageUrl } : {}) });
      await insertNotification(tx, t, { incidentId: incident.id, target: incident.target }, 'reminder', payload, rule.channels, now);
      await tx`update ${t.incidents} set reminders = ${reminder}, next_reminder_at = ${next(rule.remindEveryMs)} where id = ${incident.id}`;
    }
  }

  async function refreshFigures(): Promise<void> {
    const now = context.now();
    const [row] = await sql<{ down: number; degraded: number; degradedTargets: string[]; pending: number; oldest: number | null }[]>`
      select
        (select count(*)::int from ${t.incidents} where resolved_at is null and kind = 'down') as down,
        (select count(*)::int from ${t.incidents} where resolved_at is null and kind = 'degraded') as degraded,
        (select coalesce(array_agg(target order by target), '{}') from ${t.incidents} where resolved_at is null and kind = 'degraded') as "degradedTargets",
        (select count(*)::int from ${t.deliveries} where sent_at is null and abandoned_at is null) as pending,
        (select extract(epoch from ${now}::timestamptz - min(n.created_at))::float8
          from ${t.deliveries} as d join ${t.notifications} as n on n.id = d.notification_id
          where d.sent_at is null and d.abandoned_at is null and (d.attempts > 0 or d.next_attempt_at <= ${now})) as oldest`;
    const certificates = await sql<{ target: string; seconds: number }[]>`
      select target, extract(epoch from certificate_not_after)::float8 as seconds from ${t.targets} where certificate_not_after is not null`;
    Object.assign(figures, {
      openIncidents: row!.down + row!.degraded,
      openByKind: { down: row!.down, degraded: row!.degraded },
      degradedTargets: row!.degradedTargets,
      certificateExpiry: Object.fromEntries(certificates.map((c) => [c.target, c.seconds])),
      pending: row!.pending,
      oldestPendingSeconds: Math.max(0, row!.oldest ?? 0),
    });
  }

  let lastFigures = 0;
  const housekeeping = async () => {
    await reminders();
    await context.relative.refresh();
    if (Date.now() - lastFigures >= statsEveryMs) {
      await refreshFigures();
      lastFigures = Date.now();
    }
    return false;
  };

  const loops = [loop('housekeeping', housekeeping), ...context.channels.map((channel) => loop(`channel ${channel.name}`, channelRound(channel)))];
  let closing: Promise<void> | undefined;
  return {
    stats: () => ({ sent: { ...counts.sent }, failed: { ...counts.failed }, abandoned: { ...counts.abandoned }, refused: { ...counts.refused }, ...figures, skippedBatches: 0 }),
    close() {
      closing ??= (async () => {
        stopping.abort();
        await Promise.all(loops);
        await Promise.all(context.channels.map((channel) => channel.close()));
      })();
      return closing;
    },
  };
}
