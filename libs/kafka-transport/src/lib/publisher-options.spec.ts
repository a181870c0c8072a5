import { describe, expect, it } from '@jest/globals';
import { compileConfigSchema } from '../../test/helpers.js';
import { publisherDefaults, publisherOptionsSchema, resolvePublisherOptions, type PublisherOptions } from './publisher-options.js';

const base: PublisherOptions = { connection: { brokers: ['b:1'] }, topic: 'results' };

describe('resolvePublisherOptions', () => {
  it('fills in the defaults', () => {
    expect(resolvePublisherOptions(base)).toEqual({
      topic: 'results',
      maxBufferedResults: 100_000,
      maxBatchResults: 1000,
      lingerMs: 50,
      compression: 'gzip',
      retry: { initialMs: 200, maxMs: 30_000 },
      closeTimeoutMs: 10_000,
      createTopic: undefined,
    });
  });

  it.each([
    ['a missing topic', { topic: undefined }, /^topic must be a non-empty string$/],
    ['a bad topic name', { topic: 'results/v1' }, /^topic must be 1-249 characters/],
    ['a buffer smaller than a batch', { maxBufferedResults: 10, maxBatchResults: 20 }, /^maxBufferedResults must be at least maxBatchResults \(20\)$/],
    ['an unknown codec', { compression: 'zstd' }, /^compression must be one of: gzip, none$/],
    ['a negative linger', { lingerMs: -1 }, /^lingerMs must be an integer from 0 to 60000$/],
    ['a typo', { lingerMS: 5 }, /^lingerMS is not a known option$/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => resolvePublisherOptions({ ...base, ...overrides } as PublisherOptions)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', message: expect.stringMatching(message) }));
  });
});

describe('publisherOptionsSchema', () => {
  const validate = compileConfigSchema(publisherOptionsSchema);

  it('fills in the same defaults as the code', () => {
    const config: Record<string, unknown> = { topic: 'results', createTopic: { partitions: 6, replicationFactor: 3 }, retry: {} };
    expect(validate(config)).toBe(true);
    expect(config).toMatchObject({ ...publisherDefaults, retry: { initialMs: 200, maxMs: 30_000 } });
  });

  it.each([
    ['no topic', {}],
    ['an unknown codec', { topic: 'r', compression: 'zstd' }],
    ['createTopic without replication', { topic: 'r', createTopic: { partitions: 3 } }],
    ['a connection (it has its own fragment)', { topic: 'r', connection: { brokers: ['b:1'] } }],
  ])('refuses %s', (_name, config) => {
    expect(validate(config)).toBe(false);
  });
});
