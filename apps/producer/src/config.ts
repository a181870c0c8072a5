// The producer's view of the config file: `log`, `kafka`, `checker` and `producer`, each
// checked strictly; the consumer's sections are left to the consumer.
import os from 'node:os';
import { compileTargets, isCheckerError, targetSchema, targetSettingsSchema, type CompiledTarget, type Target, type TargetSettings } from '@sitewatch/checker';
import { kafkaSectionSchema, publisherOptionsSchema, type CreateTopicOptions, type KafkaConnectionOptions, type PublisherOptions } from '@sitewatch/kafka-transport';
import { configFileSchema, formatPath, loadConfig, logConfigSchema, opsServerConfigSchema, type ConfigProblem, type LoadedConfig, type LogLevel } from '@sitewatch/service';

const { topic: _topic, createTopic: _createTopic, ...publisherSettings } = publisherOptionsSchema.properties;

/** The sections this service reads, as JSON Schemas (also used to build config/sitewatch.schema.json). */
export const producerSections = {
  log: logConfigSchema,
  kafka: kafkaSectionSchema,
  checker: {
    type: 'object',
    additionalProperties: false,
    required: ['targets'],
    properties: {
      probeId: { type: 'string', minLength: 1, maxLength: 128, description: 'Where the checks run from, put in every result (default: the host name).' },
      concurrency: { type: 'integer', minimum: 1, maximum: 10_000, default: 100, description: 'Checks running at once.' },
      caFile: { type: 'string', minLength: 1, description: 'PEM CA certificates to trust for https targets instead of the bundled roots (a private PKI).' },
      defaults: targetSettingsSchema,
      targets: { type: 'array', minItems: 1, items: targetSchema },
    },
  },
  producer: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...publisherSettings,
      metrics: opsServerConfigSchema,
      shutdownTimeoutMs: { type: 'integer', minimum: 1000, default: 25_000, description: 'Longer than this, a shutdown is cut short (exit 3), ms.' },
    },
  },
} as const;

export const producerConfigSchema = configFileSchema(producerSections, { required: ['kafka', 'checker'], otherSections: ['consumer', 'postgres'] });

/** The config file as the producer reads it, defaults applied. */
export interface ProducerConfig {
  log: { level: LogLevel; pretty?: boolean };
  kafka: KafkaConnectionOptions & { topic: string; createTopic?: CreateTopicOptions };
  checker: { probeId?: string; concurrency: number; caFile?: string; defaults?: TargetSettings; targets: Target[] };
  producer: Omit<PublisherOptions, 'connection' | 'topic' | 'createTopic' | 'logger'> & {
    metrics?: { port: number; host: string };
    shutdownTimeoutMs: number;
  };
}

/** What the schema cannot see: regexes that do not compile, duplicate ids, a timeout longer than the interval. */
export function checkProducerConfig(config: ProducerConfig): ConfigProblem[] {
  try {
    compileTargets(config.checker.targets, config.checker.defaults);
    return [];
  } catch (error) {
    if (!isCheckerError(error)) throw error;
    return error.problems.map((p) => ({ path: formatPath(`/checker${p.field}`), message: p.message }));
  }
}

/** The targets with defaults applied (the config was checked, so this does not throw). */
export function producerTargets(config: ProducerConfig): CompiledTarget[] {
  return compileTargets(config.checker.targets, config.checker.defaults);
}

/**
 * Reads the producer's sections of a config file: references resolved, checked, defaults
 * applied. The consumer's sections are neither resolved nor returned, so this machine needs
 * none of the consumer's secrets.
 */
export function loadProducerConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<ProducerConfig> {
  return loadConfig<ProducerConfig>(file, { schema: producerConfigSchema, sections: Object.keys(producerSections), env, check: checkProducerConfig });
}

export function probeId(config: ProducerConfig): string {
  return config.checker.probeId ?? os.hostname();
}
