// The producer's view of the config file: `log`, `kafka`, `checker` and `producer`, each
// checked strictly; the consumer's sections are left to the consumer. The targets come from
// `checker.targets` or a targets file, `checker.targetsFile` (one machine), or from the
// registry topic, `checker.registry` (a fleet).
import os from 'node:os';
import {
  blockNetworksSchema,
  checkBlockNetworks,
  checkerErrorCodes,
  checkResolverOptions,
  checkTargetsFile,
  compileTargets,
  resolverOptionsSchema,
  schedulerOptionsSchema,
  targetsFileSchema,
  type CompiledTarget,
  type ResolverOptions,
  type TargetsFile,
} from '@sitewatch/checker';
import {
  checkPublisherOptions,
  checkRegistryOptions,
  fromKafkaSection,
  kafkaSectionPaths,
  kafkaSectionSchema,
  publisherOptionsSchema,
  registryOptionsSchema,
  type KafkaSection,
  type PublisherOptions,
  type RegistryOptions,
} from '@sitewatch/kafka-transport';
import { isSitewatchError, readPemFile, relocateProblems, targetSchema, targetSettingsSchema, whenPresent, type Problem, type Target, type TargetSettings } from '@sitewatch/schema';
import { configFileSchema, loadConfig, logConfigSchema, opsServerConfigSchema, ServiceError, serviceErrorCodes, type LoadedConfig, type LogLevel } from '@sitewatch/service';

const { topic: _topic, createTopic: _createTopic, ...publisherSettings } = publisherOptionsSchema.properties;

/** The sections this service reads, as JSON Schemas (also used to build config/sitewatch.schema.json). */
export const producerSections = {
  log: logConfigSchema,
  kafka: kafkaSectionSchema,
  checker: {
    type: 'object',
    additionalProperties: false,
    properties: {
      location: {
        type: 'string',
        minLength: 1,
        maxLength: 128,
        description: 'Where the checks run from: the probeId of every result, and with a registry the consumer group sitewatch-checkers-<location> (default: the host name).',
      },
      concurrency: schedulerOptionsSchema.properties.concurrency,
      caFile: { type: 'string', minLength: 1, description: 'PEM CA certificates to trust for https targets instead of the bundled roots (a private PKI).' },
      dns: resolverOptionsSchema,
      blockNetworks: blockNetworksSchema,
      defaults: targetSettingsSchema,
      targets: { type: 'array', minItems: 1, items: targetSchema, description: 'The targets of this machine; or leave them out and set targetsFile or registry' },
      targetsFile: {
        type: 'string',
        minLength: 1,
        description: 'A targets file holding the targets of this machine and their defaults (the file sitewatch-targets apply reads), instead of targets and defaults here; relative to this file',
      },
      registry: { ...registryOptionsSchema, description: 'Take the targets from the registry topic, shared with the other checkers of this location (a fleet)' },
    },
    allOf: [
      whenPresent('registry', { required: ['location'] }, 'needs location: the checkers of one location share its targets, as the consumer group sitewatch-checkers-<location>'),
      whenPresent(
        'registry',
        { not: { anyOf: [{ required: ['targets'] }, { required: ['defaults'] }, { required: ['targetsFile'] }] } },
        'and targets, defaults or targetsFile are both set: a checker takes its targets from this file or from the registry; put them in the file given to sitewatch-targets apply',
      ),
      whenPresent(
        'targetsFile',
        { not: { anyOf: [{ required: ['targets'] }, { required: ['defaults'] }] } },
        'and targets or defaults are both set: the targets and their defaults are in the targets file or here, not in both',
      ),
    ],
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

export const producerConfigSchema = configFileSchema(producerSections, { required: ['kafka', 'checker'] });

/** The config file as the producer reads it, defaults applied. */
export interface ProducerConfig {
  log: { level: LogLevel; pretty?: boolean };
  kafka: KafkaSection;
  checker: {
    location?: string;
    concurrency: number;
    caFile?: string;
    dns?: ResolverOptions;
    blockNetworks?: string[];
    defaults?: TargetSettings;
    targets?: Target[];
    /** Read by loadProducerConfig(), which puts its targets and defaults in `targets` and `defaults`. */
    targetsFile?: string;
    registry?: Omit<RegistryOptions, 'connection' | 'logger'>;
  };
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

/** The PEM text of `checker.caFile`, or the problem of reading it (unreadable, or not PEM). */
export function checkerCa(config: ProducerConfig): { text?: string; problem?: Problem } {
  return config.checker.caFile === undefined ? {} : readPemFile(config.checker.caFile, '/checker/caFile');
}

function targetProblems(config: ProducerConfig): Problem[] {
  if (config.checker.targets === undefined) {
    // A targets file is checked as it is read (loadProducerConfig).
    return config.checker.registry || config.checker.targetsFile ? [] : [{ path: '/checker/targets', message: 'is required, unless checker.targetsFile or checker.registry is set' }];
  }
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
    ...relocateProblems(checkBlockNetworks(config.checker.blockNetworks ?? []), { '': '/checker/blockNetworks' }),
    ...relocateProblems(checkPublisherOptions(publisherOptions(config)), kafkaSectionPaths('/producer')),
    ...(config.checker.registry ? relocateProblems(checkRegistryOptions(registryOptions(config)), { '': '/checker/registry', '/connection': '/kafka' }) : []),
  ];
}

/** The targets of `checker.targets` with defaults applied (the config was checked, so this does not throw); none with a registry. */
export function producerTargets(config: ProducerConfig): CompiledTarget[] {
  return config.checker.targets ? compileTargets(config.checker.targets, config.checker.defaults) : [];
}

/** The registry's options (but the logger) from `checker.registry` and the `kafka` connection. */
export function registryOptions(config: ProducerConfig): RegistryOptions {
  return { ...config.checker.registry, connection: fromKafkaSection(config.kafka).connection };
}

/** The consumer group of the checkers of a location. */
export function checkerGroupId(location: string): string {
  return `sitewatch-checkers-${location}`;
}

/**
 * Reads the producer's sections of a config file: references resolved, checked, defaults
 * applied. The consumer's sections are neither resolved nor returned, so this machine needs
 * none of the consumer's secrets.
 */
export function loadProducerConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<ProducerConfig> {
  const loaded = loadConfig<ProducerConfig>(file, { schema: producerConfigSchema, sections: Object.keys(producerSections), env, check: checkProducerConfig });
  const targetsFile = loaded.config.checker.targetsFile;
  return targetsFile === undefined ? loaded : withTargetsFile(loaded, targetsFile, file, env);
}

/**
 * The config with the targets and defaults of `checker.targetsFile` as `checker.targets` and
 * `checker.defaults`, and its secrets added. Its problems are the config's, at
 * /checker/targetsFile, each naming its place in the targets file.
 */
function withTargetsFile(loaded: LoadedConfig<ProducerConfig>, targetsFile: string, configFile: string, env: Record<string, string | undefined>): LoadedConfig<ProducerConfig> {
  let file: LoadedConfig<TargetsFile>;
  try {
    file = loadConfig<TargetsFile>(targetsFile, { schema: targetsFileSchema, env, check: checkTargetsFile });
  } catch (error) {
    if (!isSitewatchError(error, serviceErrorCodes) || error.code !== 'ERR_SERVICE_CONFIG') throw error;
    const problems = error.problems.map((p) => ({ path: '/checker/targetsFile', message: `${targetsFile}${p.path ? ` ${p.path}` : ''}: ${p.message}` }));
    throw new ServiceError('ERR_SERVICE_CONFIG', `invalid config ${configFile}`, { problems });
  }
  const checker = Object.freeze({ ...loaded.config.checker, targets: file.config.targets, defaults: file.config.defaults });
  return { config: Object.freeze({ ...loaded.config, checker }), secrets: [...loaded.secrets, ...file.secrets] };
}

/** Where the checks run from (`checker.location`, default the host name): the results' probeId. */
export function checkerLocation(config: ProducerConfig): string {
  return config.checker.location ?? os.hostname();
}
