// What a service's answer means for a delivery, against a real server on loopback: 2xx
// delivered; 429 with Retry-After (seconds or a date) due again then; 408, 5xx, a redirect, a
// time-out and a refused connection tried again; any other 4xx refused for good, with the
// service's error text, cut, on one line and scrubbed of the channel's secrets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../../../../tools/testing/ports.js';
import { startServiceReceiver, type Answer, type ServiceReceiver } from '../../../../../tools/testing/services/receiver.js';
import type { AlertsError } from '../errors.js';
import { request } from './http.js';
import { cut, cutBytes, scrub, urlSecrets } from './text.js';

let service: ServiceReceiver;
let next: Answer = { status: 200 };
const token = 'tok-3f9a1c2b7d4e5f60718293a4b5c6d7e8';

beforeAll(async () => {
  service = await startServiceReceiver(() => next);
});

afterAll(() => service?.close());

/** The error of a request answered `answer` (undefined when it was delivered). */
async function failure(answer: Answer, timeoutMs = 5000): Promise<AlertsError | undefined> {
  next = answer;
  try {
    await request({ url: `${service.base}/hook/${token}`, body: '{}', signal: AbortSignal.timeout(timeoutMs), what: 'test ops', secrets: [token] });
    return undefined;
  } catch (error) {
    return error as AlertsError;
  }
}

describe('a channel request', () => {
  it('delivers on any 2xx, and sends JSON as sitewatch-alerts', async () => {
    expect(await failure({ status: 202, body: { ok: true } })).toBeUndefined();
    expect(await failure({ status: 204 })).toBeUndefined();
    const sent = service.log.at(-1)!.request;
    expect(sent.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'sitewatch-alerts' });
  });

  it('tries a 429 again when Retry-After says (seconds, or an HTTP date), and 408, 5xx and redirects after the backoff', async () => {
    expect(await failure({ status: 429, headers: { 'retry-after': '7' }, body: { message: 'slow down' } })).toMatchObject({ code: 'ERR_ALERTS_DELIVERY', retriable: true, retryAfterMs: 7000, message: 'test ops: answered HTTP 429: slow down' });
    const date = await failure({ status: 429, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
    expect(date!.retryAfterMs).toBeGreaterThan(55_000);
    expect(date!.retryAfterMs).toBeLessThanOrEqual(60_000);
    for (const status of [408, 500, 502, 503, 302]) {
      const error = await failure({ status, headers: status === 302 ? { location: 'https://elsewhere.test/' } : {} });
      expect(error).toMatchObject({ retriable: true, message: `test ops: answered HTTP ${status}` });
      expect(error!.retryAfterMs).toBeUndefined();
    }
  });

  it('refuses for good on another 4xx, saying what the service said, cut and scrubbed of the secrets', async () => {
    expect(await failure({ status: 404, body: 'no_service' })).toMatchObject({ retriable: false, message: 'test ops: answered HTTP 404: no_service' });
    expect(await failure({ status: 400, body: { error: { code: 'InvalidRequestContent', message: 'bad card' } } })).toMatchObject({ retriable: false, message: 'test ops: answered HTTP 400: InvalidRequestContent: bad card' });
    const echoed = await failure({ status: 401, body: { description: `Unauthorized: /bot${token}/sendMessage\n${'x'.repeat(1000)}` } });
    expect(echoed!.message).toMatch(/^test ops: answered HTTP 401: Unauthorized: \/bot\[secret\]\/sendMessage x+…$/);
    expect(echoed!.message.length).toBeLessThan(400);
  });

  it('tries again after a time-out or a refused connection, naming neither URL nor token', async () => {
    service.answerAfter(1000);
    const late = await failure({ status: 200 }, 300);
    service.answerAfter(0);
    expect(late).toMatchObject({ retriable: true, message: 'test ops: timed out' });
    let refused: AlertsError | undefined;
    try {
      await request({ url: `http://127.0.0.1:${await freePort()}/hook/${token}`, body: '{}', signal: AbortSignal.timeout(5000), what: 'test ops', secrets: [token] });
    } catch (error) {
      refused = error as AlertsError;
    }
    expect(refused).toMatchObject({ retriable: true, message: 'test ops: could not reach it (ECONNREFUSED)' });
  });
});

describe('channel text', () => {
  it('cuts to a number of characters or of UTF-8 bytes, never inside a character', () => {
    expect(cut('shop is down', 20)).toBe('shop is down');
    expect(cut('shop is down', 7)).toBe('shop i…');
    expect(cut('🔥🔥🔥', 2)).toBe('🔥…');
    expect(cutBytes('é'.repeat(10), 8)).toBe('éé…');
    expect(Buffer.byteLength(cutBytes('é'.repeat(10), 8))).toBeLessThanOrEqual(8);
  });

  it('scrubs a URL whose path is the credential, and each long part of it', () => {
    const url = 'https://discord.test/api/webhooks/123/abcdefghijklmnopqrstuvwxyz0123456789';
    const secrets = urlSecrets(url);
    expect(scrub(`posting to ${url} failed; token abcdefghijklmnopqrstuvwxyz0123456789`, secrets)).toBe('posting to [secret] failed; token [secret]');
    expect(scrub('the key: ab', ['ab'])).toBe('the key: ab');
  });
});
