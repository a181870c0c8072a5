// What the subscriber does before it touches a broker: option checks and its closed state.
import { describe, expect, it } from '@jest/globals';
import { createSubscriber } from './subscriber.js';
import type { SubscriberOptions } from './subscriber-options.js';

const options: SubscriberOptions = { connection: { brokers: ['127.0.0.1:9'] }, topic: 'results', groupId: 'writers', handleBatch: async () => undefined };

describe('createSubscriber', () => {
  it('checks its options at once', () => {
    expect(() => createSubscriber({ ...options, heartbeatIntervalMs: 40_000 })).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS' }));
    expect(() => createSubscriber({ ...options, connection: { brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: 'secret' } } })).toThrow(
      expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', message: expect.not.stringContaining('secret') }),
    );
  });

  it('closes once without having started, and refuses to start afterwards', async () => {
    const subscriber = createSubscriber(options);
    expect(subscriber.ready()).toBe(false);
    const closing = subscriber.close();
    expect(subscriber.close()).toBe(closing);
    await closing;
    await subscriber[Symbol.asyncDispose]();
    await expect(subscriber.start()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    expect(subscriber.stats()).toEqual({ batches: 0, results: 0, deadLettered: 0, retries: 0, restarts: 0, lag: 0, partitions: 0, buffered: 0 });
  });
});
