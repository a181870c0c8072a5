import { kafkaConnectionSchema } from './connection.js';
import { publisherOptionsSchema } from './publisher-options.js';
import { createTopicSchema } from './topics.js';

/**
 * JSON Schema of the `kafka` section of a config file shared by a publishing and a
 * subscribing service: the connection, the topic both use, and how to create it.
 */
export const kafkaSectionSchema = {
  ...kafkaConnectionSchema,
  required: [...kafkaConnectionSchema.required, 'topic'],
  properties: {
    ...kafkaConnectionSchema.properties,
    topic: publisherOptionsSchema.properties.topic,
    createTopic: createTopicSchema,
  },
} as const;
