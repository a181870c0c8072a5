// The webhook's signatures: known answers (computed with openssl), and the README's
// verification code run on real requests sent by the channel to a receiver on loopback.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../../../../tools/testing/receivers.js';
import type { IncidentRecord } from '../incident.js';
import { notificationPayload } from '../payload.js';
import { signature, signatureV2, createWebhookChannel } from './webhook.js';

const incident: IncidentRecord = {
  id: 1,
  kind: 'down',
  escalatedAt: null,
  slow: null,
  target: 'shop',
  url: 'https://shop.test/',
  openedAt: new Date(),
  resolvedAt: null,
  reason: 'status',
  statusCode: 503,
  errorCode: null,
  errorMessage: null,
  locations: ['eu-west'],
  firstCheckId: '019a0000-0000-7000-8000-000000000001',
  lastCheckId: '019a0000-0000-7000-8000-000000000003',
  inMaintenance: false,
};

type Verify = (headers: ReceivedRequest['headers'], rawBody: string, secret: string) => boolean;

const secret = 'a-webhook-secret-of-some-length';
let receiver: HttpReceiver;
let isFromSitewatch: Verify;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-webhook-'));

/** The README's verification code as a module of its own, exactly as written there. */
async function readmeVerification(): Promise<Verify> {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../../../../README.md'), 'utf8');
  const block = /<!-- webhook-verification:start -->\n```js\n([\s\S]*?)```\n<!-- webhook-verification:end -->/.exec(readme);
  if (block === null) throw new Error('README.md lacks the webhook-verification block');
  const file = path.join(dir, 'verify.mjs');
  fs.writeFileSync(file, `${block[1]}\nexport { isFromSitewatch };\n`);
  return ((await import(pathToFileURL(file).href)) as { isFromSitewatch: Verify }).isFromSitewatch;
}

/** The request a webhook channel sends for a "down", as the receiver got it. */
async function sent(options: { secret?: string; now?: () => Date } = { secret }): Promise<ReceivedRequest> {
  const channel = createWebhookChannel('ops', { type: 'webhook', url: receiver.url, ...(options.secret ? { secret: options.secret } : {}) }, 10_000, options.now ?? (() => new Date()));
  const payload = notificationPayload('down', { ...incident, openedAt: new Date() }, { now: new Date() });
  const before = receiver.received.length;
  await channel.send({ idempotencyKey: randomUUID(), payload, body: JSON.stringify(payload), attempt: 1 }, AbortSignal.timeout(10_000));
  return receiver.received[before]!;
}

beforeAll(async () => {
  [receiver, isFromSitewatch] = await Promise.all([startHttpReceiver(), readmeVerification()]);
});

afterAll(async () => {
  await receiver?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" (v1) and "v2.<timestamp>.<idempotency key>.<body>" (v2) with HMAC-SHA256', () => {
    // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signature('secret', '1700000000', '{"a":1}')).toBe('sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
    // echo -n 'v2.1700000000.6f1c2b9e-3a4d-4e5f-8a6b-7c8d9e0f1a2b.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signatureV2('secret', '1700000000', '6f1c2b9e-3a4d-4e5f-8a6b-7c8d9e0f1a2b', '{"a":1}')).toBe('sha256=d6b17e5ec1cf45af98d8e4456b9c59259fc5e460ad1bce7923252a24c764a372');
  });

  it("sends both, and a real request passes the README's verification", async () => {
    const request = await sent();
    const [timestamp, key] = [String(request.headers['x-sitewatch-timestamp']), String(request.headers['idempotency-key'])];
    expect(request.headers['x-sitewatch-signature-v2']).toBe(signatureV2(secret, timestamp, key, request.body));
    expect(request.headers['x-sitewatch-signature']).toBe(signature(secret, timestamp, request.body));
    expect(isFromSitewatch(request.headers, request.body, secret)).toBe(true);
  });

  it('refuses the request replayed under a new idempotency key (which v1 does not see), changed, signed with another secret, or old', async () => {
    const request = await sent();
    const replayed = { ...request.headers, 'idempotency-key': randomUUID() };
    expect(isFromSitewatch(replayed, request.body, secret)).toBe(false);
    expect(request.headers['x-sitewatch-signature']).toBe(signature(secret, String(request.headers['x-sitewatch-timestamp']), request.body));
    expect(isFromSitewatch(request.headers, request.body.replace('"down"', '"resolved"'), secret)).toBe(false);
    expect(isFromSitewatch(request.headers, request.body, 'another-secret-of-some-length')).toBe(false);
    const old = await sent({ secret, now: () => new Date(Date.now() - 600_000) });
    expect(isFromSitewatch(old.headers, old.body, secret)).toBe(false);
  });

  it('signs nothing without a secret', async () => {
    const request = await sent({});
    expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(request.headers).filter((name) => name.startsWith('x-sitewatch-signature'))).toEqual([]);
    expect(isFromSitewatch(request.headers, request.body, secret)).toBe(false);
  });
});
