export type { BackoffOptions } from '@sitewatch/schema';
export type { BatchContext, BatchHandler } from './lib/batch-processor.js';
export type { InstanceOptions } from './lib/instance.js';
export type { KafkaConnectionOptions, KafkaSaslOptions, KafkaTlsOptions, SaslMechanism } from './lib/connection.js';
export { deadLetterHeaders } from './lib/dead-letter.js';
export { TransportError, transportErrorCodes, type TransportErrorCode } from './lib/errors.js';
export { createPublisher, type Publisher, type PublisherStats } from './lib/publisher.js';
export type { SpoolStats } from './lib/spool.js';
export type { SpoolOptions } from './lib/spool-options.js';
export { checkPublisherOptions, publisherOptionsSchema, type Compression, type PublisherOptions } from './lib/publisher-options.js';
export { createSubscriber, type Subscriber, type SubscriberStats } from './lib/subscriber.js';
export { checkSubscriberOptions, subscriberDefaults, subscriberOptionsSchema, type SubscriberOptions } from './lib/subscriber-options.js';
export { fromKafkaSection, kafkaSectionPaths, kafkaSectionSchema, type KafkaSection } from './lib/config-section.js';
export type { CreateTopicOptions } from './lib/topics.js';
export { createRegistryMember, leaseMarginMs, type RegistryMember, type RegistryMemberStats } from './lib/registry-member.js';
export {
  checkRegistryOptions,
  registryDefaults,
  registryOptionsSchema,
  type RegistryListener,
  type RegistryMemberOptions,
  type RegistryRecord,
  type RegistryOptions,
} from './lib/registry-options.js';
export { readRegistry, writeRegistry, type RegistryChange } from './lib/registry-topic.js';
