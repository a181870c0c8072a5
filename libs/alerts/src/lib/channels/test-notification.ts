// The test notification of `sitewatch-alerts test <channel>`: a "down" of the target
// `sitewatch-test`, marked as a test wherever it shows (`[test]` before its subject and a line
// saying nothing is down; PagerDuty and Opsgenie open an alert of the lowest severity and close
// it at once; the webhook gets `X-Sitewatch-Test: true`), sent through one configured channel.
import { randomUUID } from 'node:crypto';
import type { ChannelOptions } from '../channel-options.js';
import { AlertsError } from '../errors.js';
import type { IncidentPayload } from '../payload.js';
import type { Delivery } from './channel.js';
import { createChannel } from './index.js';

const noCheck = '00000000-0000-7000-8000-000000000000';

/** The test delivery: a "down" of `sitewatch-test` at `now`. */
export function testDelivery(now: Date, statusPageUrl?: string): Delivery {
  const payload: IncidentPayload = {
    version: 1,
    event: 'down',
    target: 'sitewatch-test',
    url: 'https://sitewatch-test.invalid/',
    incident: {
      id: 0,
      kind: 'down',
      openedAt: now.toISOString(),
      resolvedAt: null,
      durationMs: null,
      reason: 'test',
      statusCode: null,
      error: null,
      locations: ['sitewatch-alerts'],
      firstCheckId: noCheck,
      lastCheckId: noCheck,
      inMaintenance: false,
      escalatedAt: null,
      slow: null,
    },
    ...(statusPageUrl === undefined ? {} : { statusPageUrl }),
  };
  return { idempotencyKey: randomUUID(), payload, body: JSON.stringify(payload), attempt: 1, test: true };
}

/** What `sendTestNotification()` needs: checked alerts options (a config file's `alerts` section). */
export interface TestNotificationOptions {
  channels?: Record<string, ChannelOptions>;
  statusPageUrl?: string;
  notifier?: { sendTimeoutMs?: number };
  now?: () => Date;
}

/**
 * Sends the test notification through the channel `name`; resolves with what the service
 * answered. Rejects with ERR_ALERTS_DELIVERY when it failed (`retriable` false: the service
 * refused it), ERR_ALERTS_INVALID_OPTIONS when there is no such channel.
 */
export async function sendTestNotification(options: TestNotificationOptions, name: string): Promise<{ type: ChannelOptions['type']; answer: string; sent: boolean }> {
  const settings = options.channels?.[name];
  if (settings === undefined) {
    const known = Object.keys(options.channels ?? {});
    throw new AlertsError('ERR_ALERTS_INVALID_OPTIONS', 'no such channel', { problems: [{ path: `/channels/${name}`, message: `is not a channel of alerts.channels (${known.join(', ') || 'none'})` }] });
  }
  const now = options.now ?? (() => new Date());
  const channel = createChannel(name, settings, { timeoutMs: options.notifier?.sendTimeoutMs ?? 10_000, now });
  try {
    const receipt = await channel.send(testDelivery(now(), options.statusPageUrl), AbortSignal.timeout(channel.timeoutMs));
    return { type: channel.type, ...receipt };
  } finally {
    await channel.close();
  }
}
