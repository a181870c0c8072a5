// The PagerDuty channel against a receiver that keeps alerts by dedup_key as the Events API
// does: one alert per incident however often a trigger is sent, closed by its resolve; a
// degraded incident that goes down stays the same alert, raised to critical; reminders send
// nothing; a certificate is an alert of its own, resolved when it is renewed; a test leaves
// nothing open.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPagerDutyReceiver, type PagerDutyReceiver } from '../../../../../tools/testing/services/pagerduty.js';
import { certificateDelivery, degraded, escalatedDelivery, incidentDelivery } from '../../../test/deliveries.js';
import type { Channel, Delivery } from './channel.js';
import { createPagerDutyChannel } from './pagerduty.js';
import { testDelivery } from './test-notification.js';

let pagerduty: PagerDutyReceiver;
let channel: Channel;

beforeAll(async () => {
  pagerduty = await startPagerDutyReceiver();
  channel = createPagerDutyChannel('oncall', { type: 'pagerduty', routingKey: pagerduty.routingKey, url: pagerduty.url }, 5000);
});

afterAll(() => pagerduty?.close());

const send = (delivery: Delivery) => channel.send(delivery, AbortSignal.timeout(5000));
const alert = (key: string) => pagerduty.alerts.filter((a) => a.dedupKey === key);

describe('the PagerDuty channel', () => {
  it('triggers one alert per incident, keyed by it, however often the trigger is sent; the resolve closes it', async () => {
    const down = incidentDelivery('down');
    expect(await send(down)).toEqual({ sent: true, answer: 'HTTP 202 {"status":"success","message":"Event processed","dedup_key":"sitewatch:shop:incident:42"}' });
    await send(down);
    expect(alert('sitewatch:shop:incident:42')).toEqual([
      {
        dedupKey: 'sitewatch:shop:incident:42',
        status: 'triggered',
        severity: 'critical',
        summary: 'shop is down: timeout',
        triggers: 2,
        details: expect.objectContaining({ reason: 'timeout (ETIMEDOUT: no answer within 10 s)', locations: ['eu-west', 'us-east'], opened_at: '2026-11-27T10:03:00.000Z', status_page: 'https://status.example.test/' }),
      },
    ]);
    expect(pagerduty.events[0]).toMatchObject({ payload: { source: 'https://shop.test/', component: 'shop', class: 'timeout', timestamp: '2026-11-27T10:03:00.000Z' }, client: 'sitewatch', links: [{ href: 'https://status.example.test/', text: 'Status page' }] });
    expect(await send(incidentDelivery('reminder'))).toEqual({ sent: false, answer: 'not sent: PagerDuty notifies again by itself (escalation policies)' });
    const resolved = incidentDelivery('resolved');
    await send(resolved);
    await send(resolved);
    expect(alert('sitewatch:shop:incident:42')).toEqual([expect.objectContaining({ status: 'resolved', triggers: 2 })]);
    expect(pagerduty.events.at(-1)).toEqual({ routing_key: pagerduty.routingKey, event_action: 'resolve', dedup_key: 'sitewatch:shop:incident:42' });
  });

  it('raises a degraded incident that goes down on the same alert: warning, then critical, with the slowest phase', async () => {
    await send(incidentDelivery('degraded', { ...degraded, id: 43 }));
    expect(alert('sitewatch:shop:incident:43')).toEqual([expect.objectContaining({ severity: 'warning', summary: 'shop is slow: 8,020 ms', details: expect.objectContaining({ slowest_phase: 'first byte', response_time_ms: 8020, limit_ms: 2000 }) })]);
    await send(escalatedDelivery(43));
    expect(alert('sitewatch:shop:incident:43')).toEqual([expect.objectContaining({ status: 'triggered', severity: 'critical', triggers: 2, details: expect.objectContaining({ down_since: '2026-11-27T10:20:00.000Z' }) })]);
  });

  it('opens an alert per certificate (warning, then error once expired) and resolves it when a renewed one is seen', async () => {
    const key = 'sitewatch:shop:certificate:2026-12-07T00:00:00.000Z';
    await send(certificateDelivery('expiring'));
    expect(alert(key)).toEqual([expect.objectContaining({ severity: 'warning', summary: "shop's certificate expires in 9 days", details: expect.objectContaining({ days_left: 9 }) })]);
    await send(certificateDelivery('expired'));
    expect(alert(key)).toEqual([expect.objectContaining({ severity: 'error', triggers: 2, status: 'triggered' })]);
    await send(certificateDelivery('renewed'));
    expect(alert(key)).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });

  it('sends a test as an info alert and resolves it at once; a wrong routing key is refused for good, never shown', async () => {
    const test = testDelivery(new Date());
    const receipt = await send(test);
    expect(receipt.answer).toMatch(/^trigger: HTTP 202 .*; resolve: HTTP 202 /);
    expect(alert(`sitewatch:test:${test.idempotencyKey}`)).toEqual([expect.objectContaining({ severity: 'info', status: 'resolved', summary: '[test] sitewatch-test is down: test' })]);
    const wrongKey = 'W'.repeat(32);
    const other = createPagerDutyChannel('other', { type: 'pagerduty', routingKey: wrongKey, url: pagerduty.url }, 5000);
    const refused = await other.send(incidentDelivery('down'), AbortSignal.timeout(5000)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ERR_ALERTS_DELIVERY', retriable: false, message: 'pagerduty other: answered HTTP 400: Event object is invalid ["Invalid routing key"]' });
  });

  it('is checked against the documented event: a misspelt field is refused by name', async () => {
    const answer = await fetch(pagerduty.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ routing_key: pagerduty.routingKey, event_action: 'trigger', dedupKey: 'x', payload: { summary: 's', source: 'x', severity: 'fatal' } }) });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: ['dedupKey: is not a field of this request', 'payload.severity: must be one of critical, error, warning, info'] });
  });

  it('is told when to come back by a 429, and tries a 500 again', async () => {
    pagerduty.failNext({ status: 429, headers: { 'retry-after': '2' }, body: { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly' } }, { status: 500 });
    await expect(send(incidentDelivery('down'))).rejects.toMatchObject({ retriable: true, retryAfterMs: 2000 });
    await expect(send(incidentDelivery('down'))).rejects.toMatchObject({ retriable: true, message: 'pagerduty oncall: answered HTTP 500' });
  });
});
