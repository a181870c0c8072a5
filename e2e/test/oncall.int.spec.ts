// On-call services end to end: the built consumer as a process, the real producer checking a
// local site that goes down and comes back, and receivers that keep alerts as PagerDuty (by
// dedup_key) and Opsgenie (by alias) do. Through a 429 with Retry-After and a 500 before the
// services accept the trigger, and a consumer killed with kill -9 while the services have
// taken the resolve but not yet answered (so it is sent again, and the whole topic is
// delivered again to a new consumer): exactly one incident is opened and closed at each.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOpsgenieReceiver, type OpsgenieReceiver } from '../../tools/testing/services/opsgenie.js';
import { startPagerDutyReceiver, type PagerDutyReceiver } from '../../tools/testing/services/pagerduty.js';
import { startPipeline, startRedeliveringConsumer, type Pipeline } from './support/pipeline.js';
import { waitFor, type AppProcess } from './support/processes.js';
import { startSwitchableSite, type SwitchableSite } from './support/sites.js';

let pipeline: Pipeline;
let pagerduty: PagerDutyReceiver;
let opsgenie: OpsgenieReceiver;
let site: SwitchableSite;
const consumers: AppProcess[] = [];

beforeAll(async () => {
  [pagerduty, opsgenie, site] = await Promise.all([startPagerDutyReceiver(), startOpsgenieReceiver(), startSwitchableSite()]);
  pipeline = await startPipeline({
    partitions: 2,
    targets: () => [{ id: 'flip', url: site.url, intervalMs: 1000, timeoutMs: 1000 }],
    alerts: {
      statusPageUrl: 'https://status.example.test/',
      channels: {
        pd: { type: 'pagerduty', routingKey: pagerduty.routingKey, url: pagerduty.url, timeoutMs: 2000 },
        og: { type: 'opsgenie', apiKey: opsgenie.apiKey, apiUrl: opsgenie.base, timeoutMs: 2000 },
      },
      notifier: { pollIntervalMs: 100, retry: { initialMs: 200, maxMs: 2000 } },
    },
  });
  consumers.push(await pipeline.startConsumer());
}, 90_000);

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop('SIGKILL')));
  await pipeline?.close();
  await Promise.all([pagerduty?.close(), opsgenie?.close(), site?.close()]);
});

const unsent = async () => (await pipeline.sql<{ n: number }[]>`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n;

describe('PagerDuty and Opsgenie', () => {
  it('a site down and back, through a 429, a 500 and a kill -9 with redelivery: one incident opened and closed at each', async () => {
    const busy = [{ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } }, { status: 500 }];
    pagerduty.failNext(...busy);
    opsgenie.failNext(...busy);
    const producer = await pipeline.startProducer();
    await waitFor('a few up checks of the site', async () => (await pipeline.sql`select count(*)::int as n from sitewatch.results where target = 'flip' and outcome = 'up'`)[0]!.n >= 2);
    site.failing = true;
    await waitFor('an open alert at each', () => pagerduty.alerts.length === 1 && opsgenie.alerts.length === 1, 60_000);
    const [first] = consumers;
    for (const channel of ['pd', 'og']) {
      expect(first!.logs().filter((e) => e.msg === 'notification failed; retrying' && e.channel === channel).map((e) => e.retryAfterMs ?? null)).toEqual([1000, null]);
    }
    expect(pagerduty.log.map((entry) => entry.status)).toEqual([429, 500, 202]);
    expect(opsgenie.log.map((entry) => entry.status)).toEqual([429, 500, 202]);

    // The services take the resolve and hold their answers: the consumer dies waiting.
    pagerduty.answerAfter(5000);
    opsgenie.answerAfter(5000);
    site.failing = false;
    await waitFor('the resolve taken at each', () => pagerduty.alerts[0]!.status === 'resolved' && opsgenie.alerts[0]!.status === 'closed', 60_000);
    expect(await first!.stop('SIGKILL')).toBe('SIGKILL');
    pagerduty.answerAfter(0);
    opsgenie.answerAfter(0);
    consumers.push(await startRedeliveringConsumer(pipeline));
    await waitFor('every delivery sent', async () => (await unsent()) === 0, 60_000);
    expect(await producer.stop('SIGTERM')).toBe(0);

    const key = pagerduty.alerts[0]!.dedupKey;
    expect(key).toMatch(/^sitewatch:flip:incident:\d+$/);
    expect(pagerduty.alerts).toEqual([expect.objectContaining({ status: 'resolved', triggers: 1, severity: 'critical', summary: 'flip is down: status' })]);
    expect(opsgenie.alerts).toEqual([expect.objectContaining({ alias: key, status: 'closed', count: 1, priority: 'P1' })]);
    // The resolve went out again after the kill: PagerDuty dropped it, Opsgenie failed it (no open alert), neither opened anything.
    expect(pagerduty.events.filter((e) => e.event_action === 'resolve' && e.dedup_key === key)).toHaveLength(2);
    expect(opsgenie.failedRequests).toEqual([{ path: `/v2/alerts/${encodeURIComponent(key)}/close`, status: 'Alert does not exist' }]);
    expect(await pipeline.sql`select id from sitewatch.incidents where target = 'flip'`).toHaveLength(1);
  }, 180_000);

  it('never wrote the routing key or the API key, and exits cleanly', async () => {
    const last = consumers.at(-1)!;
    expect(await last.stop('SIGTERM')).toBe(0);
    for (const text of consumers.map((c) => c.output())) {
      expect(text).not.toContain(pagerduty.routingKey);
      expect(text).not.toContain(opsgenie.apiKey);
    }
  });
});
