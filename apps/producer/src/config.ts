// The producer's view of the config file: `log`, `kafka`, `checker` and `producer`, each
// checked strictly; the consumer's sections are left to the consumer.
import os from 'node:os';
import {
  checkerErrorCodes,
  checkResolverOptions,
  compileTargets,
  resolverOptionsSchema,
  schedulerOptionsSchema,
  targetSchema,
  targetSettingsSchema,
  type CompiledTarget,
  type ResolverOptions,
  type Target,
  type TargetSettings,
} from '@sitewatch/checker';
import {
  checkPublisherOptions,
  fromKafkaSection,
  kafkaSectionPaths,
  kafkaSectionSchema,
  publisherOptionsSchema,
  type KafkaSection,
  type PublisherOptions,
} from '@sitewatch/kafka-transport';
import { isSitewatchError, readOptionFile, relocateProblems, type Problem } from '@sitewatch/schema';
import { configFileSchema, loadConfig, logConfigSchema, opsServerConfigSchema, type LoadedConfig, type LogLevel } from '@sitewatch/service';

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
      concurrency: schedulerOptionsSchema.properties.concurrency,
      caFile: { type: 'string', minLength: 1, description: 'PEM CA certificates to trust for https targets instead of the bundled roots (a private PKI).' },
      dns: resolverOptionsSchema,
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

export const producerConfigSchema = configFileSchema(producerSections, { required: ['kafka', 'checker'], otherSections: ['consumer', 'postgres', 'alerts'] });

/** The config file as the producer reads it, defaults applied. */
export interface ProducerConfig {
  log: { level: LogLevel; pretty?: boolean };
  kafka: KafkaSection;
  checker: { probeId?: string; concurrency: number; caFile?: string; dns?: ResolverOptions; defaults?: TargetSettings; targets: Target[] };
  producer: Omit<PublisherOptions, 'connection' | 'topic' | 'createTopic' | 'logger'> & {
    metrics?: { port: number; host: string };
    shutdownTimeoutMs: number;
  };
}

/** The publisher's options (but the logger and the callback) from the config: the `kafka` section and the `producer` settings. */
export function publisherOptions(config: ProducerConfig): PublisherOptions {
  const { metrics: _ops, shutdownTimeoutMs: _deadline, ...settings } = config.producer;
  return { ...settings, ...fromKafkaSection(config.kafka) };
}

/** The PEM text of `checker.caFile`, or the problem of reading it. */
export function checkerCa(config: ProducerConfig): { text?: string; problem?: Problem } {
  return config.checker.caFile === undefined ? {} : readOptionFile(config.checker.caFile, '/checker/caFile');
}

function targetProblems(config: ProducerConfig): Problem[] {
  try {
    compileTargets(config.checker.targets, config.checker.defaults);
    return [];
  } catch (error) {
    if (!isSitewatchError(error, checkerErrorCodes)) throw error;
    return relocateProblems(error.problems, { '': '/checker' });
  }
}

/**
 * What the schema cannot see, by the libraries' own rules: regexes that do not compile,
 * duplicate ids, a timeout longer than the interval, unreadable files, SASL over plaintext...
 */
export function checkProducerConfig(config: ProducerConfig): Problem[] {
  const ca = checkerCa(config);
  return [
    ...targetProblems(config),
    ...(ca.problem ? [ca.problem] : []),
    ...relocateProblems(checkResolverOptions(config.checker.dns ?? {}), { '': '/checker/dns' }),
    ...relocateProblems(checkPublisherOptions(publisherOptions(config)), kafkaSectionPaths('/producer')),
  ];
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
