// Reconciliation, the end of every fault scenario: each valid result in the topic is in
// PostgreSQL exactly once, each invalid message is in the dead-letter topic with a reason,
// and nothing else is stored. Run it after the producer has stopped (the topic is final).
import fs from 'node:fs';
import path from 'node:path';
import { decode } from '@sitewatch/schema';
import { waitFor } from './processes.js';
import type { Pipeline } from './pipeline.js';

export interface Reconciliation {
  /** Messages in the data topic (a batch written twice by a recreated producer counts twice). */
  topicMessages: number;
  /** Distinct ids of the valid results in the topic. */
  published: number;
  /** Messages in the topic that are not valid results (injected poison). */
  invalid: number;
  /** Rows in the raw table. */
  stored: number;
  /** Ids stored more than once. */
  duplicates: number;
  /** Messages in the dead-letter topic. */
  deadLettered: number;
  /** Dead letters by `sitewatch-dlq-code`. */
  deadLetterCodes: Record<string, number>;
  /** Published ids not stored, stored ids never published, invalid messages not dead-lettered (first 10 of each). */
  missing: string[];
  unexpected: string[];
  notDeadLettered: string[];
}

async function storedIds(pipeline: Pick<Pipeline, 'sql'>): Promise<Map<string, number>> {
  const rows = await pipeline.sql<{ id: string; copies: number }[]>`select id::text, count(*)::int as copies from sitewatch.check_results group by id`;
  return new Map(rows.map((r) => [r.id, r.copies]));
}

export async function reconcile(pipeline: Pick<Pipeline, 'kafka' | 'topic' | 'sql'>, timeoutMs = 90_000): Promise<Reconciliation> {
  const { kafka, topic } = pipeline;
  const messages = await kafka.readMessages(topic);
  const published = new Set<string>();
  const invalid: string[] = [];
  for (const message of messages) {
    const decoded = decode(message.value);
    if (decoded.ok) published.add(decoded.value.id);
    else invalid.push(`${topic}/${message.partition}/${message.offset}`);
  }
  // The consumer may still be catching up: wait until every message is accounted for.
  await waitFor(
    `the consumer to store ${published.size} results and dead-letter ${invalid.length} messages`,
    async () => (await storedIds(pipeline)).size >= published.size && (invalid.length === 0 || (await kafka.partitionCount(`${topic}.dlq`)) !== undefined),
    timeoutMs,
    250,
  );
  const deadLetters = invalid.length === 0 ? [] : await kafka.readMessages(`${topic}.dlq`, { atLeast: invalid.length, timeoutMs });
  const stored = await storedIds(pipeline);
  const sources = new Set(deadLetters.map((m) => m.headers['sitewatch-dlq-source']));
  const codes: Record<string, number> = {};
  for (const m of deadLetters) {
    const code = m.headers['sitewatch-dlq-code'] ?? '(none)';
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return {
    topicMessages: messages.length,
    published: published.size,
    invalid: invalid.length,
    stored: [...stored.values()].reduce((sum, n) => sum + n, 0),
    duplicates: [...stored.values()].filter((n) => n > 1).length,
    deadLettered: deadLetters.length,
    deadLetterCodes: codes,
    missing: [...published].filter((id) => !stored.has(id)).slice(0, 10),
    unexpected: [...stored.keys()].filter((id) => !published.has(id)).slice(0, 10),
    notDeadLettered: invalid.filter((source) => !sources.has(source)).slice(0, 10),
  };
}

/** The assertion every scenario ends with, in one place. */
export function expectReconciled(r: Reconciliation): void {
  const problems = [
    r.published === 0 ? 'nothing was published' : '',
    r.missing.length > 0 ? `published but not stored: ${r.missing.join(', ')}` : '',
    r.unexpected.length > 0 ? `stored but never published: ${r.unexpected.join(', ')}` : '',
    r.duplicates > 0 ? `${r.duplicates} ids stored more than once` : '',
    r.notDeadLettered.length > 0 ? `invalid but not dead-lettered: ${r.notDeadLettered.join(', ')}` : '',
    r.stored !== r.published ? `stored ${r.stored} rows for ${r.published} published results` : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`not reconciled:\n  ${problems.join('\n  ')}\n${JSON.stringify(r)}`);
}

/** Keeps a scenario's figures in tmp/reliability/<scenario>.json, for docs/reliability.md. */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  const dir = path.resolve(import.meta.dirname, '../../../tmp/reliability');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${scenario}.json`), `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures }, null, 2)}\n`);
}
