import { describe, expect, it } from '@jest/globals';
import { compileOptions } from '@sitewatch/schema';
import { checkPublisherOptions, publisherDefaults, publisherOptionsSchema, resolvePublisherOptions, type PublisherOptions } from './publisher-options.js';

const base: PublisherOptions = { connection: { brokers: ['b:1'] }, topic: 'results' };

describe('resolvePublisherOptions', () => {
  it('fills in the defaults', () => {
    expect(resolvePublisherOptions(base)).toEqual({
      settings: {
        topic: 'results',
        maxBufferedResults: 100_000,
        maxBatchResults: 1000,
        lingerMs: 50,
        compression: 'gzip',
        retry: { initialMs: 200, maxMs: 30_000 },
        closeTimeoutMs: 10_000,
      },
      connection: { brokers: ['b:1'], clientId: 'sitewatch', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 },
    });
  });

  it.each([
    ['a missing topic', { topic: undefined }, '/topic', 'is required'],
    ['a bad topic name', { topic: 'results/v1' }, '/topic', /^must match pattern/],
    ['a topic named ..', { topic: '..' }, '/topic', /^must match pattern/],
    ['a buffer smaller than a batch', { maxBufferedResults: 10, maxBatchResults: 20 }, '/maxBufferedResults', 'must be at least maxBatchResults (20)'],
    ['an unknown codec', { compression: 'zstd' }, '/compression', 'must be one of: gzip, none'],
    ['a negative linger', { lingerMs: -1 }, '/lingerMs', 'must be >= 0'],
    ['a typo', { lingerMS: 5 }, '/lingerMS', 'is not a known setting'],
    ['a retry that shrinks', { retry: { initialMs: 500, maxMs: 100 } }, '/retry/maxMs', 'must be at least initialMs (500)'],
    ['createTopic without replication', { createTopic: { partitions: 3 } }, '/createTopic/replicationFactor', 'is required'],
    ['an empty topic config value', { createTopic: { partitions: 3, replicationFactor: 1, config: { 'retention.ms': '' } } }, '/createTopic/config/retention.ms', 'must NOT have fewer than 1 characters'],
    ['a callback that is not a function', { onError: 'log' }, '/onError', 'must be a function'],
    ['no connection', { connection: undefined }, '/connection', 'is required'],
    ['SASL without TLS', { connection: { brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: 'p' } } }, '/connection/sasl', /^needs tls/],
  ])('refuses %s', (_name, overrides, path, message) => {
    const options = { ...base, ...overrides } as PublisherOptions;
    expect(checkPublisherOptions(options)).toEqual([{ path, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
    expect(() => resolvePublisherOptions(options)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', problems: checkPublisherOptions(options) }));
  });

  it('reports every problem at once, with the message listing them', () => {
    const options = { ...base, topic: 'a b', lingerMs: -1, connection: { brokers: [] } } as PublisherOptions;
    expect(() => resolvePublisherOptions(options)).toThrow(/^invalid publisher options:\n {2}\/topic: .*\n {2}\/lingerMs: must be >= 0\n {2}\/connection\/brokers: /);
  });
});

describe('publisherOptionsSchema', () => {
  const validate = compileOptions<Record<string, unknown>>(publisherOptionsSchema);

  it('fills in the same defaults as the code', () => {
    const { value, problems } = validate({ topic: 'results', createTopic: { partitions: 6, replicationFactor: 3 } });
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ ...publisherDefaults, retry: { initialMs: 200, maxMs: 30_000 } });
  });

  it('holds no connection: it has its own fragment', () => {
    expect(validate({ topic: 'r', connection: { brokers: ['b:1'] } }).problems).toEqual([{ path: '/connection', message: 'is not a known setting' }]);
  });
});
