// The commands: send a test notification through one channel, and list the open incidents and
// the deliveries pending or failed. Each returns the text to print; a failure the user must see
// is a CommandError (exit 1), a channel that is not configured a config error (exit 2).
import { readOutbox, sendTestNotification, type AlertsOptions, type OutboxReport, type UnsentDelivery } from '@sitewatch/alerts';
import { isSitewatchError, relocateProblems } from '@sitewatch/schema';
import { ServiceError } from '@sitewatch/service';
import type postgres from 'postgres';

/** A failure the user must see (exit 1): not a bug, so no stack trace. */
export class CommandError extends Error {}

/** `2026-11-27 10:03:00 UTC`. */
const time = (at: Date) => `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** Sends the test notification through `channel` of the config `file`; the text says what the service answered. */
export async function testChannel(alerts: Omit<AlertsOptions, 'sql'>, channel: string, file: string): Promise<string> {
  try {
    const { type, answer, sent } = await sendTestNotification(alerts, channel);
    return `${sent ? 'sent' : 'not sent'}: test notification through ${channel} (${type})\n${type} answered: ${answer}`;
  } catch (error) {
    if (isSitewatchError(error) && error.code === 'ERR_ALERTS_INVALID_OPTIONS') {
      throw new ServiceError('ERR_SERVICE_CONFIG', `invalid config ${file}`, { problems: relocateProblems(error.problems, { '': '/alerts' }) });
    }
    if (!isSitewatchError(error) || error.code !== 'ERR_ALERTS_DELIVERY') throw error;
    const why = error.retriable ? 'it may pass: the notifier would try again' : 'the service refused it: check the channel settings';
    throw new CommandError(`failed: test notification through ${channel}: ${error.message} (${why})`);
  }
}

function delivery(d: UnsentDelivery): string {
  const about = `${d.channel} ${d.kind} ${d.target}${d.incident === null ? '' : ` incident ${d.incident}`}, ${d.attempts} attempt(s)`;
  const when = d.failedAt === null ? `next ${time(d.nextAttemptAt)}` : `${d.refused ? 'refused' : 'abandoned'} ${time(d.failedAt)}`;
  return `  ${about}, ${when}${d.lastError === null ? '' : `: ${d.lastError}`}`;
}

/** The report as text: a heading with a count per part, then a line per item. */
export function formatReport(report: OutboxReport): string {
  const incidents = report.openIncidents.map(
    (i) => `  ${i.id} ${i.target} ${i.kind} since ${time(i.openedAt)}: ${i.reason} (${i.locations.join(', ')})${i.notified ? '' : ', held back by a maintenance window'}`,
  );
  const errors = report.lastErrors.map((e) => `  ${e.channel} ${time(e.at)}: ${e.error}`);
  return [
    `open incidents: ${incidents.length}`,
    ...incidents,
    `pending deliveries: ${report.pending.length}`,
    ...report.pending.map(delivery),
    `failed deliveries: ${report.failed.length}`,
    ...report.failed.map(delivery),
    `last error per channel: ${errors.length}`,
    ...errors,
  ].join('\n');
}

/** Reads and formats the report of the alerts tables of `schema`. */
export async function listOutbox(sql: postgres.Sql, schema: string): Promise<string> {
  return formatReport(await readOutbox(sql, { schema }));
}
