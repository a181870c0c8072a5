// Shared by the integration tests: a sink whose writes evaluate alerts, results made to order.
import type { CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import type postgres from 'postgres';
import { createAlertingSink, type AlertingSink, type AlertingSinkOptions } from '../src/index.js';

/** A sink and the alerts evaluated in its writes, migrated, on the database `url`. */
export async function alertingSink(url: string, options: AlertingSinkOptions['alerts'] = {}): Promise<AlertingSink> {
  const storage = createAlertingSink({ sink: { url }, alerts: options });
  await storage.migrate();
  return storage;
}

const start = Date.now() - 3_600_000;

/**
 * Results of one target from one location, a minute apart from `from` (index of the first):
 * u = up (120 ms), s = up but slow (5 s, mostly waiting for the first byte), d = down.
 */
export function checks(target: string, pattern: string, options: { location?: string; from?: number; offsetMs?: number; tlsNotAfter?: string } = {}): CheckResult[] {
  return [...pattern].map((c, i) => {
    const startedAt = new Date(start + (options.offsetMs ?? 0) + ((options.from ?? 0) + i) * 60_000).toISOString();
    return makeCheckResult({
      targetId: target,
      url: `https://${target}.test/`,
      probeId: options.location ?? 'eu-west',
      startedAt,
      scheduledAt: startedAt,
      ...(options.tlsNotAfter === undefined ? {} : { tlsNotAfter: options.tlsNotAfter }),
      ...(c === 'd' ? { outcome: 'down', reason: 'status', statusCode: 503, error: { code: 'HTTP_503', message: 'Service Unavailable' } } : {}),
      ...(c === 's' ? { responseTimeMs: 5000, phases: { dnsMs: 1, tcpMs: 1, tlsMs: 3, ttfbMs: 4990, downloadMs: 5 } } : { responseTimeMs: 120, phases: { dnsMs: 1, tcpMs: 1, tlsMs: 3, ttfbMs: 110, downloadMs: 5 } }),
    });
  });
}

/** Incidents of a target, oldest first. */
export function incidents(sql: postgres.Sql, target: string) {
  return sql<{ id: string; kind: string; openedAt: Date; resolvedAt: Date | null; escalatedAt: Date | null; locations: string[]; inMaintenance: boolean; reason: string; notifiedAt: Date | null }[]>`
    select id, kind, opened_at as "openedAt", resolved_at as "resolvedAt", escalated_at as "escalatedAt", locations, in_maintenance as "inMaintenance", reason, notified_at as "notifiedAt"
    from sitewatch.incidents where target = ${target} order by id`;
}

/** Notifications of a target's incidents with their deliveries' channels, in order. */
export function notifications(sql: postgres.Sql, target: string) {
  return sql<{ kind: string; channels: string[]; payload: Record<string, unknown> }[]>`
    select n.kind, coalesce(array_agg(d.channel order by d.channel) filter (where d.channel is not null), '{}') as channels, n.payload
    from sitewatch.notifications n join sitewatch.incidents i on i.id = n.incident_id
    left join sitewatch.deliveries d on d.notification_id = n.id
    where i.target = ${target} group by n.id order by n.id`;
}
