// sitewatch-targets' view of the config file: `log`, `kafka` (the connection) and
// `checker.registry` (where the targets live), as the producers of a fleet read them; and
// the targets file, checked by the same schema and rules as a config file's targets.
import { checkTargetsFile, compileTargets, targetsFileSchema, type CompiledTarget, type TargetsFile } from '@sitewatch/checker';
import { checkRegistryOptions, fromKafkaSection, kafkaSectionSchema, registryOptionsSchema, type KafkaSection, type RegistryOptions } from '@sitewatch/kafka-transport';
import { isSitewatchError, relocateProblems } from '@sitewatch/schema';
import { configFileSchema, loadConfig, logConfigSchema, ServiceError, type LoadedConfig, type LogLevel } from '@sitewatch/service';

/** The sections this command reads: of `checker`, only `registry` (the rest is the producer's). */
export const targetsSections = {
  log: logConfigSchema,
  kafka: kafkaSectionSchema,
  checker: { type: 'object', required: ['registry'], properties: { registry: registryOptionsSchema } },
} as const;

const targetsConfigSchema = configFileSchema(targetsSections, { required: ['kafka', 'checker'] });

/** The config file as this command reads it, defaults applied. */
export interface TargetsConfig {
  log: { level: LogLevel; pretty?: boolean };
  kafka: KafkaSection;
  checker: { registry: Omit<RegistryOptions, 'connection' | 'logger'> };
}

/** The registry's options (but the logger) from `checker.registry` and the `kafka` connection. */
export function registryOptions(config: TargetsConfig): RegistryOptions {
  return { ...config.checker.registry, connection: fromKafkaSection(config.kafka).connection };
}

/** Reads this command's sections of a config file: references resolved, checked (the registry's own rules too), defaults applied. */
export function loadTargetsConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<TargetsConfig> {
  const check = (config: TargetsConfig) => relocateProblems(checkRegistryOptions(registryOptions(config)), { '': '/checker/registry', '/connection': '/kafka' });
  return loadConfig<TargetsConfig>(file, { schema: targetsConfigSchema, sections: Object.keys(targetsSections), env, check });
}

/**
 * Reads a targets file (`${env:}` and `${file:}` resolved) and compiles its targets: every
 * setting given, defaults filled in. Throws a ServiceError `ERR_SERVICE_CONFIG` listing every
 * problem by JSON Pointer into the file (`/targets/3/url`), as the producer does for its own.
 */
export function loadTargetsFile(file: string, env: Record<string, string | undefined>): { targets: CompiledTarget[]; secrets: string[] } {
  try {
    const { config, secrets } = loadConfig<TargetsFile>(file, { schema: targetsFileSchema, env, check: checkTargetsFile });
    return { targets: compileTargets(config.targets, config.defaults), secrets };
  } catch (error) {
    if (!isSitewatchError(error) || error.code !== 'ERR_SERVICE_CONFIG') throw error;
    throw new ServiceError('ERR_SERVICE_CONFIG', `invalid targets file ${file}`, { problems: error.problems });
  }
}
