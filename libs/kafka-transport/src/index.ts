export type { BackoffOptions } from '@sitewatch/schema';
export type { BatchContext, BatchHandler } from './lib/batch-processor.js';
export {
  connectionDefaults,
  kafkaConnectionSchema,
  saslMechanisms,
  type KafkaConnectionOptions,
  type KafkaSaslOptions,
  type KafkaTlsOptions,
  type SaslMechanism,
} from './lib/connection.js';
export { deadLetterHeaders } from './lib/dead-letter.js';
export { TransportError, transportErrorCodes, type TransportErrorCode } from './lib/errors.js';
export { createPublisher, type Publisher, type PublisherStats } from './lib/publisher.js';
export { checkPublisherOptions, compressionCodecs, publisherDefaults, publisherOptionsSchema, type Compression, type PublisherOptions } from './lib/publisher-options.js';
export { createSubscriber, type Subscriber, type SubscriberStats } from './lib/subscriber.js';
export { checkSubscriberOptions, subscriberDefaults, subscriberOptionsSchema, type SubscriberOptions } from './lib/subscriber-options.js';
export { fromKafkaSection, kafkaSectionPaths, kafkaSectionSchema, type KafkaSection } from './lib/config-section.js';
export { createTopicSchema, type CreateTopicOptions } from './lib/topics.js';
