// The consumer's view of the config file: `log`, `kafka`, `consumer`, `postgres` and
// `alerts`, each checked strictly; the producer's sections are left to the producer.
import {
  checkSubscriberOptions,
  fromKafkaSection,
  kafkaSectionPaths,
  kafkaSectionSchema,
  subscriberOptionsSchema,
  type BatchHandler,
  type KafkaSection,
  type SubscriberOptions,
} from '@sitewatch/kafka-transport';
import { alertsOptionsSchema, checkAlertsOptions, type AlertsOptions } from '@sitewatch/alerts';
import { checkSinkOptions, pgSinkOptionsSchema, type SinkOptions } from '@sitewatch/pg-sink';
import { relocateProblems, type Problem } from '@sitewatch/schema';
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
  alerts: alertsOptionsSchema,
} as const;

export const consumerConfigSchema = configFileSchema(consumerSections, { required: ['kafka', 'postgres'] });

/** The config file as the consumer reads it, defaults applied. */
export interface ConsumerConfig {
  log: { level: LogLevel; pretty?: boolean };
  kafka: KafkaSection;
  consumer: Omit<SubscriberOptions, 'connection' | 'topic' | 'createTopic' | 'handleBatch' | 'logger'> & {
    metrics?: { port: number; host: string };
    migrateOnStart: boolean;
    shutdownTimeoutMs: number;
  };
  postgres: Omit<SinkOptions, 'sql' | 'logger' | 'now' | 'onInserted'>;
  alerts: Omit<AlertsOptions, 'sql' | 'schema' | 'logger' | 'now'>;
}

/** The subscriber's options (but the logger) from the config: the `kafka` section and the `consumer` settings. */
export function subscriberOptions(config: ConsumerConfig, handleBatch: BatchHandler): SubscriberOptions {
  const { metrics: _ops, migrateOnStart: _migrate, shutdownTimeoutMs: _deadline, ...settings } = config.consumer;
  return { ...settings, ...fromKafkaSection(config.kafka), handleBatch };
}

/**
 * What the schema cannot see, by the libraries' own rules: a heartbeat not below the
 * session timeout, the topic as its own dead-letter topic, unreadable files, SASL over
 * plaintext, retention periods out of order, TLS settings at odds with the URL, an alert
 * rule naming a channel that does not exist, a maintenance window that ends before it starts...
 */
export function checkConsumerConfig(config: ConsumerConfig): Problem[] {
  // Only the handler's presence is checked here; the consumer passes its own.
  const subscriber = checkSubscriberOptions(subscriberOptions(config, async () => undefined));
  return [
    ...relocateProblems(subscriber, kafkaSectionPaths('/consumer')),
    ...relocateProblems(checkSinkOptions(config.postgres), { '': '/postgres' }),
    ...relocateProblems(checkAlertsOptions(config.alerts), { '': '/alerts' }),
  ];
}

/**
 * Reads the consumer's sections of a config file: references resolved, checked, defaults
 * applied. The producer's sections are neither resolved nor returned, so this machine needs
 * none of the producer's secrets (a target's token, say).
 */
export function loadConsumerConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<ConsumerConfig> {
  return loadConfig<ConsumerConfig>(file, { schema: consumerConfigSchema, sections: Object.keys(consumerSections), env, check: checkConsumerConfig });
}
