// What the publisher does without a broker: option checks, programmer errors, buffering
// while it cannot connect, and the closed state. The "broker" is a loopback server that
// hangs up on every connection.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { eventually } from '../../test/helpers.js';
import { createPublisher, type Publisher } from './publisher.js';
import type { PublisherOptions } from './publisher-options.js';

let server: net.Server;
let broker: string;

beforeAll(async () => {
  server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  broker = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

function publisher(options: Partial<PublisherOptions> = {}): Publisher {
  return createPublisher({ connection: { brokers: [broker], connectionTimeoutMs: 200 }, topic: 'results', retry: { initialMs: 10, maxMs: 50 }, closeTimeoutMs: 0, ...options });
}

describe('createPublisher', () => {
  it('checks its options at once', () => {
    expect(() => publisher({ maxBatchResults: 0 })).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', problems: [{ path: '/maxBatchResults', message: 'must be >= 1' }] }));
    expect(() => publisher({ connection: { brokers: [broker], tls: { caFile: '/nonexistent/ca.pem' } } })).toThrow(
      expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', message: 'invalid publisher options:\n  /connection/tls/caFile: cannot read /nonexistent/ca.pem (ENOENT)' }),
    );
  });

  it('throws for an invalid result, and buffers valid ones while it cannot connect', async () => {
    const p = publisher();
    expect(() => p.publish(makeCheckResult({ responseTimeMs: -5 }))).toThrow(expect.objectContaining({ code: 'ERR_SCHEMA_INVALID' }));
    p.publish(makeCheckResult());
    p.publish(makeCheckResult());
    await eventually(() => p.stats().sendErrors > 0, { what: 'a failed attempt' });
    expect(p.stats()).toMatchObject({ buffered: 2, published: 0, dropped: 0 });
    expect(p.ready()).toBe(false);
    await p.close();
    expect(p.stats()).toMatchObject({ buffered: 0, dropped: 2 });
  });

  it('closes once, and refuses work afterwards', async () => {
    const p = publisher();
    const closing = p.close();
    expect(p.close()).toBe(closing);
    await closing;
    await p[Symbol.asyncDispose]();
    expect(() => p.publish(makeCheckResult())).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_CLOSED' }));
    await expect(p.flush()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    expect(p.ready()).toBe(false);
  });
});
