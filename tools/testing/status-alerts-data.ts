// Known alerts' state for the status tests (status-data.ts's targets): degraded and escalated
// incidents, degraded locations and certificates, written into the alerts' tables directly (as
// the alerts would have left them), with what the page must then show computed from the same
// figures.
import type postgres from 'postgres';

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/**
 * Certificates of the known targets, days from `now` to expiry (whole days, as the page counts
 * them): alpha's, epsilon's and zeta's from their https checks (40, 10 and -1: expired), gamma's
 * from the alerts only (its checks are http and stale): 100.
 */
export const knownCertificateDays = { alpha: 40, epsilon: 10, zeta: -1, gamma: 100 } as const;

/** The expiry of a known target's certificate: an hour past its whole days, so the days left are exact. */
export function knownNotAfter(target: keyof typeof knownCertificateDays, now: Date): Date {
  return new Date(now.getTime() + knownCertificateDays[target] * dayMs + hourMs);
}

/** The slow check of epsilon's open degraded incident, as the alerts store it (incidents.slow). */
export const epsilonSlow = { responseTimeMs: 2310, limitMs: 1000, rule: 'absolute', phases: { dnsMs: 4, tcpMs: 9, tlsMs: 21, ttfbMs: 1900, downloadMs: 376 } } as const;

/** A known degraded incident: when it opened, resolved (null: open) and, for an escalated one, went down. */
export interface KnownSlowIncident {
  target: string;
  openedAt: Date;
  resolvedAt: Date | null;
  escalatedAt: Date | null;
}

/**
 * epsilon: degraded 10:00–13:00 UTC five days ago, from 22:00 21 days ago to 02:00 20 days ago
 * (two days), and open since 5 hours before `now`; zeta: slow since 3 hours before `now`, down
 * since 1 hour before (escalated, open).
 */
export function knownSlowIncidents(now: Date): KnownSlowIncident[] {
  const today = Math.floor(now.getTime() / dayMs) * dayMs;
  const at = (ms: number) => new Date(ms);
  return [
    { target: 'epsilon', openedAt: at(today - 5 * dayMs + 10 * hourMs), resolvedAt: at(today - 5 * dayMs + 13 * hourMs), escalatedAt: null },
    { target: 'epsilon', openedAt: at(today - 20 * dayMs - 2 * hourMs), resolvedAt: at(today - 20 * dayMs + 2 * hourMs), escalatedAt: null },
    { target: 'epsilon', openedAt: at(now.getTime() - 5 * hourMs), resolvedAt: null, escalatedAt: null },
    { target: 'zeta', openedAt: at(now.getTime() - 3 * hourMs), resolvedAt: null, escalatedAt: at(now.getTime() - hourMs) },
  ];
}

/** The UTC days (`YYYY-MM-DD`) during which `target` was degraded, by the known incidents. */
export function knownSlowDays(target: string, now: Date): Set<string> {
  const days = new Set<string>();
  for (const incident of knownSlowIncidents(now).filter((i) => i.target === target)) {
    const end = (incident.escalatedAt ?? incident.resolvedAt ?? now).getTime();
    for (let day = Math.floor(incident.openedAt.getTime() / dayMs) * dayMs; day < end; day += dayMs) days.add(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Writes the known alerts' state (the alerts' tables must exist): the incidents of
 * `knownSlowIncidents`, epsilon's location eu-west degraded and us-east not, and gamma's
 * certificate as the alerts saw it.
 */
export async function storeAlertStates(sql: postgres.Sql, now: Date): Promise<void> {
  for (const i of knownSlowIncidents(now)) {
    const escalated = i.escalatedAt !== null;
    await sql`
      insert into sitewatch.incidents (target, url, kind, opened_at, resolved_at, escalated_at, reason, status_code, error_code, error_message, slow, locations, first_check_id, last_check_id, in_maintenance)
      values (${i.target}, ${`https://${i.target}.test/`}, ${escalated ? 'down' : 'degraded'}, ${i.openedAt}, ${i.resolvedAt}, ${i.escalatedAt}, ${escalated ? 'timeout' : 'slow'},
        null, ${escalated ? 'ETIMEDOUT' : null}, ${escalated ? 'secret error text' : null}, ${escalated ? null : sql.json(epsilonSlow)}, '{eu-west}', gen_random_uuid(), gen_random_uuid(), false)`;
  }
  await sql`insert into sitewatch.alert_targets (target, certificate_not_after) values ('epsilon', null), ('gamma', ${knownNotAfter('gamma', now)})`;
  for (const [location, degraded] of [
    ['eu-west', true],
    ['us-east', false],
  ] as const) {
    await sql`
      insert into sitewatch.alert_locations (target, location, failing, failures, successes, streak_started_at, streak_first_check_id, last_at, last_check_id, degraded)
      values ('epsilon', ${location}, false, 0, 10, ${now}, gen_random_uuid(), ${now}, gen_random_uuid(), ${degraded})`;
  }
}
