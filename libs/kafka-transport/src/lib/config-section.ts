import { kafkaConnectionSchema, type KafkaConnectionOptions } from './connection.js';
import { createTopicSchema, topicNameSchema, type CreateTopicOptions } from './topics.js';

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
    createTopic: { ...createTopicSchema, description: 'Create missing topics: the producer its topic, the consumer the topic and its dead-letter topic (default: create none; the consumer then stops naming the missing ones).' },
  },
} as const;

/** A config file's `kafka` section, as kafkaSectionSchema describes it. */
export type KafkaSection = KafkaConnectionOptions & { topic: string; createTopic?: CreateTopicOptions };

/** The connection, topic and createTopic a publisher or subscriber takes, from a `kafka` section. */
export function fromKafkaSection({ topic, createTopic, ...connection }: KafkaSection): { connection: KafkaConnectionOptions; topic: string; createTopic?: CreateTopicOptions } {
  return { connection, topic, ...(createTopic && { createTopic }) };
}

/**
 * Where the problems of options made with fromKafkaSection() are in the config file, for
 * relocateProblems(): the connection, topic and createTopic under `/kafka`, the other options
 * under `section` (e.g. `/producer`).
 */
export function kafkaSectionPaths(section: string): Record<string, string> {
  return { '': section, '/connection': '/kafka', '/topic': '/kafka/topic', '/createTopic': '/kafka/createTopic' };
}
