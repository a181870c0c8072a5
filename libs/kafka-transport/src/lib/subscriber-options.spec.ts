import { describe, expect, it } from '@jest/globals';
import { compileConfigSchema } from '../../test/helpers.js';
import { resolveSubscriberOptions, subscriberDefaults, subscriberOptionsSchema, type SubscriberOptions } from './subscriber-options.js';

const handleBatch = async () => undefined;
const base: SubscriberOptions = { connection: { brokers: ['b:1'] }, topic: 'results', groupId: 'writers', handleBatch };

describe('resolveSubscriberOptions', () => {
  it('fills in the defaults, with a dead-letter topic named after the topic', () => {
    expect(resolveSubscriberOptions(base)).toEqual({
      topic: 'results',
      groupId: 'writers',
      handleBatch,
      deadLetterTopic: 'results.dlq',
      ...subscriberDefaults,
      retry: { initialMs: 200, maxMs: 30_000 },
      createTopic: undefined,
    });
  });

  it('takes a number of partitions to handle at the same time', () => {
    expect(resolveSubscriberOptions({ ...base, partitionsConcurrently: 6 }).partitionsConcurrently).toBe(6);
  });

  it('keeps the default heartbeat below a short session timeout', () => {
    expect(resolveSubscriberOptions({ ...base, sessionTimeoutMs: 6000 }).heartbeatIntervalMs).toBe(2000);
  });

  it.each([
    ['no group', { groupId: '' }, /^groupId must be a non-empty string$/],
    ['no handler', { handleBatch: undefined }, /^handleBatch must be a function$/],
    ['a heartbeat as long as the session', { sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }, /^heartbeatIntervalMs must be below sessionTimeoutMs \(6000\)/],
    ['the topic as its own dead-letter topic', { deadLetterTopic: 'results' }, /^deadLetterTopic must differ from topic$/],
    ['a tiny fetch', { maxBytesPerPartition: 10 }, /^maxBytesPerPartition must be an integer from 1024/],
    ['no partition at a time', { partitionsConcurrently: 0 }, /^partitionsConcurrently must be an integer from 1 to 64$/],
    ['a fractional concurrency', { partitionsConcurrently: 1.5 }, /^partitionsConcurrently must be an integer from 1 to 64$/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => resolveSubscriberOptions({ ...base, ...overrides } as SubscriberOptions)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', message: expect.stringMatching(message) }));
  });
});

describe('subscriberOptionsSchema', () => {
  const validate = compileConfigSchema(subscriberOptionsSchema);

  it('fills in the same defaults as the code', () => {
    const config: Record<string, unknown> = { topic: 'results', groupId: 'writers' };
    expect(validate(config)).toBe(true);
    expect(config).toEqual({ topic: 'results', groupId: 'writers', ...subscriberDefaults });
  });

  it.each([
    ['no group', { topic: 'r' }],
    ['a bad dead-letter topic', { topic: 'r', groupId: 'g', deadLetterTopic: 'a b' }],
    ['a handler (code only)', { topic: 'r', groupId: 'g', handleBatch: 'store' }],
    ['too many partitions at a time', { topic: 'r', groupId: 'g', partitionsConcurrently: 65 }],
  ])('refuses %s', (_name, config) => {
    expect(validate(config)).toBe(false);
  });
});
