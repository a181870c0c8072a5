import { describe, expect, it } from '@jest/globals';
import { compileOptions } from '@sitewatch/schema';
import { checkSubscriberOptions, resolveSubscriberOptions, subscriberDefaults, subscriberOptionsSchema, type SubscriberOptions } from './subscriber-options.js';

const handleBatch = async () => undefined;
const base: SubscriberOptions = { connection: { brokers: ['b:1'] }, topic: 'results', groupId: 'writers', handleBatch };
const settingsOf = (options: SubscriberOptions) => resolveSubscriberOptions(options).settings;

describe('resolveSubscriberOptions', () => {
  it('fills in the defaults, with a dead-letter topic named after the topic', () => {
    expect(settingsOf(base)).toEqual({
      topic: 'results',
      groupId: 'writers',
      handleBatch,
      deadLetterTopic: 'results.dlq',
      ...subscriberDefaults,
      retry: { initialMs: 200, maxMs: 30_000 },
    });
  });

  it('takes a number of partitions to handle at the same time', () => {
    expect(settingsOf({ ...base, partitionsConcurrently: 6 }).partitionsConcurrently).toBe(6);
  });

  it('keeps the default heartbeat below a short session timeout', () => {
    expect(settingsOf({ ...base, sessionTimeoutMs: 6000 }).heartbeatIntervalMs).toBe(2000);
  });

  it.each([
    ['no group', { groupId: '' }, '/groupId', 'must NOT have fewer than 1 characters'],
    ['no handler', { handleBatch: undefined }, '/handleBatch', 'is required'],
    ['a heartbeat as long as the session', { sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }, '/heartbeatIntervalMs', /^must be below sessionTimeoutMs \(6000\)/],
    ['the topic as its own dead-letter topic', { deadLetterTopic: 'results' }, '/deadLetterTopic', 'must differ from topic'],
    ['a tiny fetch', { maxBytesPerPartition: 10 }, '/maxBytesPerPartition', 'must be >= 1024'],
    ['no partition at a time', { partitionsConcurrently: 0 }, '/partitionsConcurrently', 'must be >= 1'],
    ['a fractional concurrency', { partitionsConcurrently: 1.5 }, '/partitionsConcurrently', 'must be integer'],
    ['too many partitions at a time', { partitionsConcurrently: 65 }, '/partitionsConcurrently', 'must be <= 64'],
    ['a bad dead-letter topic', { deadLetterTopic: 'a b' }, '/deadLetterTopic', /^must match pattern/],
  ])('refuses %s', (_name, overrides, path, message) => {
    const options = { ...base, ...overrides } as SubscriberOptions;
    expect(checkSubscriberOptions(options)).toEqual([{ path, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
    expect(() => resolveSubscriberOptions(options)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', problems: checkSubscriberOptions(options) }));
  });
});

describe('subscriberOptionsSchema', () => {
  const validate = compileOptions<Record<string, unknown>>(subscriberOptionsSchema);

  it('fills in the same defaults as the code (the heartbeat follows the session timeout)', () => {
    const { value, problems } = validate({ topic: 'results', groupId: 'writers' });
    const { heartbeatIntervalMs: _followsSession, ...fixed } = subscriberDefaults;
    expect(problems).toEqual([]);
    expect(value).toEqual({ topic: 'results', groupId: 'writers', ...fixed, retry: { initialMs: 200, maxMs: 30_000 } });
  });

  it('holds no handler: only code can pass one', () => {
    expect(validate({ topic: 'r', groupId: 'g', handleBatch: 'store' }).problems).toEqual([{ path: '/handleBatch', message: 'is not a known setting' }]);
  });
});
