// `sitewatch all`'s view of the config file: the producer's, the consumer's and the status
// service's sections, each loaded by its own app (the same checks as when it runs alone), and
// the `all` section: the one ops port, the shutdown deadline and the writer's drain.
import { loadConsumerConfig, type ConsumerConfig } from '@sitewatch/consumer';
import { loadProducerConfig, type ProducerConfig } from '@sitewatch/producer';
import { isSitewatchError, type Problem } from '@sitewatch/schema';
import { configFileSchema, loadConfig, opsServerConfigSchema, ServiceError, serviceErrorCodes, type LoadedConfig } from '@sitewatch/service';
import { loadStatusConfig, type StatusConfig } from '@sitewatch/status-app';

/** The section only `sitewatch all` reads (also used to build config/sitewatch.schema.json). */
export const allSections = {
  all: {
    type: 'object',
    additionalProperties: false,
    properties: {
      metrics: { ...opsServerConfigSchema, description: "The one ops server of sitewatch all: /metrics of the three services, /readyz of all their checks (the services' own metrics settings are not used)" },
      drainTimeoutMs: {
        type: 'integer',
        minimum: 0,
        default: 15_000,
        description: 'At a stop, how long the writer may take to store what the checker published before it stopped; what is left stays in the topic for the next start, ms',
      },
      shutdownTimeoutMs: { type: 'integer', minimum: 1000, default: 60_000, description: 'Longer than this, a shutdown is cut short (exit 3), ms' },
    },
  },
} as const;

const allSectionSchema = configFileSchema(allSections, { required: [] });

/** The `all` section, defaults applied. */
export interface AllSection {
  metrics?: { port: number; host: string };
  drainTimeoutMs: number;
  shutdownTimeoutMs: number;
}

/** The config file as `sitewatch all` reads it: each service's view, and the `all` section. */
export interface AllConfig {
  producer: ProducerConfig;
  consumer: ConsumerConfig;
  status: StatusConfig;
  all: AllSection;
}

/** Runs every loader, so that one error lists the problems of all of them (each once: `log` and `kafka` are read by two). */
function loadEach<T extends Record<string, () => LoadedConfig<unknown>>>(loaders: T, file: string): { [K in keyof T]: ReturnType<T[K]> } {
  const loaded: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const [name, load] of Object.entries(loaders)) {
    try {
      loaded[name] = load();
    } catch (error) {
      if (!isSitewatchError(error, serviceErrorCodes) || error.code !== 'ERR_SERVICE_CONFIG') throw error;
      for (const problem of error.problems) if (!problems.some((p) => p.path === problem.path && p.message === problem.message)) problems.push(problem);
    }
  }
  if (problems.length > 0) throw new ServiceError('ERR_SERVICE_CONFIG', `invalid config ${file}`, { problems });
  return loaded as { [K in keyof T]: ReturnType<T[K]> };
}

/** Reads the file as the three services and the `all` section; the secrets of all of them. */
export function loadAllConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<AllConfig> {
  const loaded = loadEach(
    {
      producer: () => loadProducerConfig(file, env),
      consumer: () => loadConsumerConfig(file, env),
      status: () => loadStatusConfig(file, env),
      all: () => loadConfig<{ all: AllSection }>(file, { schema: allSectionSchema, sections: Object.keys(allSections), env }),
    },
    file,
  );
  return {
    config: { producer: loaded.producer.config, consumer: loaded.consumer.config, status: loaded.status.config, all: loaded.all.config.all },
    secrets: [...new Set([loaded.producer, loaded.consumer, loaded.status, loaded.all].flatMap((part) => part.secrets))],
  };
}
