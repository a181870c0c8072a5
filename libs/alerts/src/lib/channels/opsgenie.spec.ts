// The Opsgenie channel against a receiver that keeps one open alert per alias as the Alert
// API does: a create sent again counts the alert up instead of opening a second, the close
// closes it; a degraded incident that goes down is raised to P1 with the down message; a
// reminder is a note; an unknown key refused for good, never shown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOpsgenieReceiver, type OpsgenieReceiver } from '../../../../../tools/testing/services/opsgenie.js';
import { certificateDelivery, degraded, escalatedDelivery, incidentDelivery } from '../../../test/deliveries.js';
import type { Channel, Delivery } from './channel.js';
import { createOpsgenieChannel } from './opsgenie.js';
import { testDelivery } from './test-notification.js';

let opsgenie: OpsgenieReceiver;
let channel: Channel;

beforeAll(async () => {
  opsgenie = await startOpsgenieReceiver();
  channel = createOpsgenieChannel('oncall', { type: 'opsgenie', apiKey: opsgenie.apiKey, apiUrl: opsgenie.base, tags: ['web'] }, 5000);
});

afterAll(() => opsgenie?.close());

const send = (delivery: Delivery) => channel.send(delivery, AbortSignal.timeout(5000));
const alerts = (alias: string) => opsgenie.alerts.filter((a) => a.alias === alias);

describe('the Opsgenie channel', () => {
  it('creates one alert per incident under its alias, however often sent; a reminder is a note; the resolve closes it', async () => {
    const down = incidentDelivery('down');
    expect(await send(down)).toEqual({ sent: true, answer: expect.stringMatching(/^HTTP 202 \{"result":"Request will be processed","took":[\d.]+,"requestId":"[0-9a-f-]{36}"\}$/) });
    await send(down);
    expect(alerts('sitewatch:shop:incident:42')).toEqual([
      {
        alias: 'sitewatch:shop:incident:42',
        status: 'open',
        message: 'shop is down: timeout',
        priority: 'P1',
        count: 2,
        tags: ['sitewatch', 'down', 'web'],
        details: expect.objectContaining({ reason: 'timeout (ETIMEDOUT: no answer within 10 s)', locations: 'eu-west, us-east', statusPage: 'https://status.example.test/' }),
        notes: [],
      },
    ]);
    await send(incidentDelivery('reminder'));
    expect(alerts('sitewatch:shop:incident:42')[0]!.notes).toEqual([expect.stringContaining('is still down (for 30 min, reminder 1)')]);
    await send(incidentDelivery('resolved'));
    expect(alerts('sitewatch:shop:incident:42')).toEqual([expect.objectContaining({ status: 'closed', count: 2 })]);
    const closedAt = opsgenie.log.at(-1)!.request;
    expect([closedAt.method, closedAt.path, closedAt.query.get('identifierType')]).toEqual(['POST', '/v2/alerts/sitewatch%3Ashop%3Aincident%3A42/close', 'alias']);
    expect(opsgenie.failedRequests).toEqual([]);
  });

  it('raises a degraded incident that goes down: the same alert, P3 then P1, with the down message', async () => {
    await send(incidentDelivery('degraded', { ...degraded, id: 43 }));
    expect(alerts('sitewatch:shop:incident:43')).toEqual([expect.objectContaining({ priority: 'P3', message: 'shop is slow: 8,020 ms', details: expect.objectContaining({ slowestPhase: 'first byte' }) })]);
    await send(escalatedDelivery(43));
    expect(alerts('sitewatch:shop:incident:43')).toEqual([expect.objectContaining({ status: 'open', priority: 'P1', count: 2, message: 'shop is down: timeout' })]);
  });

  it('keeps an alert per certificate, closed when a renewed one is seen; a test is created and closed', async () => {
    await send(certificateDelivery('expiring'));
    await send(certificateDelivery('expired'));
    const alias = 'sitewatch:shop:certificate:2026-12-07T00:00:00.000Z';
    expect(alerts(alias)).toEqual([expect.objectContaining({ priority: 'P3', count: 2, tags: ['sitewatch', 'certificate', 'web'] })]);
    await send(certificateDelivery('renewed'));
    expect(alerts(alias)).toEqual([expect.objectContaining({ status: 'closed' })]);
    const test = testDelivery(new Date());
    await send(test);
    expect(alerts(`sitewatch:test:${test.idempotencyKey}`)).toEqual([expect.objectContaining({ status: 'closed', priority: 'P5', message: '[test] sitewatch-test is down: test' })]);
  });

  it('refuses for good, without the key, when the key is wrong; is told when to come back by a 429', async () => {
    const wrong = createOpsgenieChannel('other', { type: 'opsgenie', apiKey: 'not-the-right-key-0000', apiUrl: opsgenie.base }, 5000);
    const refused = await wrong.send(incidentDelivery('down'), AbortSignal.timeout(5000)).catch((error: unknown) => error as Error);
    expect(refused).toMatchObject({ retriable: false, message: 'opsgenie other: answered HTTP 401: Could not authenticate' });
    opsgenie.failNext({ status: 429, headers: { 'retry-after': '3' }, body: { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.' } });
    await expect(send(incidentDelivery('down'))).rejects.toMatchObject({ retriable: true, retryAfterMs: 3000 });
  });
});
