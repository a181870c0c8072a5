// The consumer's view of the config file: `log`, `kafka`, `consumer` and `postgres`, each
// checked strictly; the producer's sections are left to the producer.
import { kafkaSectionSchema, subscriberOptionsSchema, type CreateTopicOptions, type KafkaConnectionOptions, type SubscriberOptions } from '@sitewatch/kafka-transport';
import { pgSinkOptionsSchema, type SinkOptions } from '@sitewatch/pg-sink';
import { configFileSchema, loadConfig, logConfigSchema, opsServerConfigSchema, type LoadedConfig, type LogLevel } from '@sitewatch/service';

const { topic: _topic, createTopic: _createTopic, groupId, ...subscriberSettings } = subscriberOptionsSchema.properties;

/** The sections this service reads, as JSON Schemas (also used to build config/sitewatch.schema.json). */
export const consumerSections = {
  log: logConfigSchema,
  kafka: kafkaSectionSchema,
  consumer: {
    type: 'object',
    additionalProperties: false,
    properties: {
      groupId: { ...groupId, default: 'sitewatch-writer' },
      ...subscriberSettings,
      metrics: opsServerConfigSchema,
      migrateOnStart: { type: 'boolean', default: true, description: 'Apply pending database migrations at start (under an advisory lock).' },
      shutdownTimeoutMs: { type: 'integer', minimum: 1000, default: 45_000, description: 'Longer than this, a shutdown is cut short (exit 3), ms.' },
    },
  },
  postgres: pgSinkOptionsSchema,
} as const;

export const consumerConfigSchema = configFileSchema(consumerSections, { required: ['kafka', 'postgres'], otherSections: ['checker', 'producer'] });

/** The config file as the consumer reads it, defaults applied. */
export interface ConsumerConfig {
  log: { level: LogLevel; pretty?: boolean };
  kafka: KafkaConnectionOptions & { topic: string; createTopic?: CreateTopicOptions };
  consumer: Omit<SubscriberOptions, 'connection' | 'topic' | 'createTopic' | 'handleBatch' | 'logger'> & {
    metrics?: { port: number; host: string };
    migrateOnStart: boolean;
    shutdownTimeoutMs: number;
  };
  postgres: Omit<SinkOptions, 'sql' | 'logger' | 'now'>;
}

/**
 * Reads the consumer's sections of a config file: references resolved, checked, defaults
 * applied. The producer's sections are neither resolved nor returned, so this machine needs
 * none of the producer's secrets (a target's token, say).
 */
export function loadConsumerConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<ConsumerConfig> {
  return loadConfig<ConsumerConfig>(file, { schema: consumerConfigSchema, sections: Object.keys(consumerSections), env });
}
