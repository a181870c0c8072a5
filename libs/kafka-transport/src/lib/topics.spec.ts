import { describe, expect, it, jest } from '@jest/globals';
import kafkajs, { type Admin } from 'kafkajs';
import { recordingLogger } from '../../test/helpers.js';
import { ensureTopics, topicCreateError } from './topics.js';

const { KafkaJSAggregateError, KafkaJSCreateTopicError } = kafkajs as unknown as Record<'KafkaJSAggregateError' | 'KafkaJSCreateTopicError', new (...args: never[]) => Error>;

function createTopicsFailure(type: string): Error {
  const error = new KafkaJSCreateTopicError({ message: `broker says ${type}`, type, code: 1, retriable: false } as never, 'results' as never);
  return new KafkaJSAggregateError('Topic creation errors' as never, [error] as never);
}

function fakeAdmin(existing: string[], createTopics: (request: unknown) => Promise<boolean> = async () => true) {
  return { listTopics: jest.fn(async () => existing), createTopics: jest.fn(createTopics) };
}

const create = { partitions: 6, replicationFactor: 3 };

describe('topicCreateError', () => {
  it('tells the user what to create, or what to grant, when creating is not allowed', () => {
    for (const type of ['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']) {
      const cause = createTopicsFailure(type);
      const error = topicCreateError(cause, ['results', 'results.dlq'], create);
      expect(error).toMatchObject({ code: 'ERR_TRANSPORT_TOPIC_CREATE_DENIED', retriable: false, cause, kafkaErrorType: type });
      expect(error.message).toBe('not allowed to create topic(s) results, results.dlq: create them yourself with 6 partition(s), replication factor 3, or grant this client CREATE on them');
    }
  });

  it('names the broker error for other failures', () => {
    const error = topicCreateError(createTopicsFailure('INVALID_REPLICATION_FACTOR'), ['results'], create);
    expect(error).toMatchObject({ code: 'ERR_TRANSPORT_TOPIC_CREATE', retriable: false });
    expect(error.message).toBe('cannot create topic(s) results with 6 partition(s), replication factor 3 (INVALID_REPLICATION_FACTOR)');
  });
});

describe('ensureTopics', () => {
  it('does nothing when the topics exist', async () => {
    const admin = fakeAdmin(['results', 'results.dlq', 'other']);
    await ensureTopics(admin as unknown as Admin, ['results', 'results.dlq'], create, recordingLogger());
    expect(admin.createTopics).not.toHaveBeenCalled();
  });

  it('creates the missing ones with the settings, and logs it', async () => {
    const admin = fakeAdmin(['results']);
    const logger = recordingLogger();
    await ensureTopics(admin as unknown as Admin, ['results', 'results.dlq'], { ...create, config: { 'retention.ms': '1000' } }, logger);
    expect(admin.createTopics).toHaveBeenCalledWith({
      waitForLeaders: true,
      topics: [{ topic: 'results.dlq', numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    });
    expect(logger.records).toMatchObject([{ level: 'info', message: 'created topics', fields: { topics: ['results.dlq'] } }]);
  });

  it('names the missing topics when it may not create them', async () => {
    const admin = fakeAdmin(['results']);
    await expect(ensureTopics(admin as unknown as Admin, ['results', 'results.dlq'], undefined, recordingLogger())).rejects.toMatchObject({
      code: 'ERR_TRANSPORT_TOPIC_MISSING',
      message: 'topic(s) results.dlq do not exist: create them, or set createTopic to have them created',
    });
  });

  it('maps a refused creation', async () => {
    const admin = fakeAdmin([], async () => Promise.reject(createTopicsFailure('TOPIC_AUTHORIZATION_FAILED')));
    await expect(ensureTopics(admin as unknown as Admin, ['results'], create, recordingLogger())).rejects.toMatchObject({ code: 'ERR_TRANSPORT_TOPIC_CREATE_DENIED' });
  });
});
