// The ntfy channel against a server receiver: JSON published to the root with the topic, the
// title, the facts within 4,096 bytes (never an attachment), priorities and tags by event, the
// status page on click, the access token; the idempotency key as the sequence id, so a repeat
// replaces the notification instead of adding one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startNtfyReceiver, type NtfyReceiver } from '../../../../../tools/testing/services/ntfy.js';
import { incident, incidentDelivery } from '../../../test/deliveries.js';
import { createNtfyChannel } from './ntfy.js';

let ntfy: NtfyReceiver;

beforeAll(async () => {
  ntfy = await startNtfyReceiver();
});

afterAll(() => ntfy?.close());

const channel = (settings: { token?: string; priority?: 1 | 2 | 3 | 4 | 5 } = {}) =>
  createNtfyChannel('phone', { type: 'ntfy', url: ntfy.url, token: settings.token ?? ntfy.token, tags: ['prod'], ...(settings.priority ? { priority: settings.priority } : {}) }, 5000);

describe('the ntfy channel', () => {
  it('publishes the title, the facts, a priority and tags by event, the status page on click; a repeat replaces it', async () => {
    const down = incidentDelivery('down');
    expect((await channel().send(down, AbortSignal.timeout(5000))).answer).toMatch(/^HTTP 200 \{"id":"\w+"/);
    await channel().send(down, AbortSignal.timeout(5000));
    await channel().send(incidentDelivery('resolved'), AbortSignal.timeout(5000));
    expect(ntfy.notifications).toEqual([
      expect.objectContaining({ title: 'shop is down: timeout', priority: 5, tags: ['rotating_light', 'prod'], click: 'https://status.example.test/', sequenceId: down.idempotencyKey, published: 2, asAttachment: false }),
      expect.objectContaining({ title: 'shop is up again after 1 h 12 min', priority: 3, tags: ['white_check_mark', 'prod'], published: 1 }),
    ]);
    expect(ntfy.notifications[0]!.message).toContain('What failed: timeout (ETIMEDOUT: no answer within 10 s) from eu-west, us-east.');
  });

  it('keeps a huge error text within 4,096 bytes, so it never becomes an attachment; sends the priority set', async () => {
    await channel({ priority: 2 }).send(incidentDelivery('down', { ...incident, id: 43, errorMessage: 'é'.repeat(5000) }), AbortSignal.timeout(5000));
    expect(ntfy.notifications[2]).toMatchObject({ asAttachment: false, priority: 2 });
    expect(Buffer.byteLength(ntfy.notifications[2]!.message)).toBeLessThanOrEqual(4096);
  });

  it('is refused for good without the right token, which no error shows', async () => {
    const refused = await channel({ token: 'tk_wrongwrongwrongwrongwrong' }).send(incidentDelivery('down'), AbortSignal.timeout(5000)).catch((error: unknown) => error as Error);
    expect(refused).toMatchObject({ retriable: false, message: 'ntfy phone: answered HTTP 403: forbidden' });
  });
});
