import { kafkaConnectionSchema } from './connection.js';
import { createTopicSchema, topicNameSchema } from './topics.js';

/**
 * JSON Schema of the `kafka` section of a config file shared by a publishing and a
 * subscribing service: the connection, the topic both use, and how to create it.
 */
export const kafkaSectionSchema = {
  ...kafkaConnectionSchema,
  required: [...kafkaConnectionSchema.required, 'topic'],
  properties: {
    ...kafkaConnectionSchema.properties,
    topic: topicNameSchema,
    createTopic: createTopicSchema,
  },
} as const;
