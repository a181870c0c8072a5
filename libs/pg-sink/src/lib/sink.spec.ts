// The sink's contract without a database: options checked at construction, a lazy
// connection, and close() (idempotent, then every call refused).
import { describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSink } from './sink.js';

// Nothing listens here; the tests below never make the sink connect.
const url = 'postgres://writer:s3cret@127.0.0.1:9/monitor';

describe('createSink', () => {
  it('refuses bad options at once, by name', () => {
    expect(() => createSink({ url, rawRetentionDays: -1 })).toThrow('invalid sink options:\n  /rawRetentionDays: must be >= 1');
    expect(() => createSink({ url, ssl: { mode: 'verify-full', caFile: '/no/such/ca.pem' } })).toThrow('invalid sink options:\n  /ssl/caFile: cannot read /no/such/ca.pem (ENOENT)');
  });

  it('closes once, and refuses every call afterwards with a coded error', async () => {
    const sink = createSink({ url });
    const first = sink.close();
    expect(sink.close()).toBe(first);
    expect(sink[Symbol.asyncDispose]()).toBe(first);
    await first;
    for (const call of [() => sink.write([makeCheckResult()]), () => sink.migrate(), () => sink.ensurePartitions(), () => sink.applyRetention(), () => sink.startMaintenance()]) {
      await expect(call()).rejects.toMatchObject({ code: 'ERR_SINK_CLOSED', retriable: false });
    }
  });

  it('refuses a summary without a valid range before touching the database', async () => {
    const sink = createSink({ url });
    await expect(sink.summary({ targetId: 'x', from: new Date('nope'), to: new Date() })).rejects.toMatchObject({ code: 'ERR_SINK_INVALID_OPTIONS' });
    await sink.close();
  });
});
