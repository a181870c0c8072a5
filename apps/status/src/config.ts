// The status service's view of the config file: `log`, `postgres` (where the data is; a
// read-only role is enough, see `status.database`) and `status`, each checked strictly; the
// other services' sections are left to them.
import { checkSinkOptions, pgSinkOptionsSchema, type SinkOptions, type SinkSslOptions } from '@sitewatch/pg-sink';
import { relocateProblems, type Problem } from '@sitewatch/schema';
import { configFileSchema, loadConfig, logConfigSchema, opsServerConfigSchema, type LoadedConfig, type LogLevel } from '@sitewatch/service';
import { certificateWarnDaysDefault, statusReaderOptionsSchema, type UrlDisplay } from '@sitewatch/status';

const { url, ssl } = pgSinkOptionsSchema.properties;

/** The `status` section. */
export const statusSectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Where the page, the API and the badges are served.',
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65_535, default: 8080 },
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
      },
    },
    metrics: opsServerConfigSchema,
    database: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      description: 'Connection of this service, e.g. a read-only role (default: the postgres section).',
      properties: { url, ssl },
    },
    title: { type: 'string', minLength: 1, maxLength: 200, default: 'Status', description: 'Heading and title of the page.' },
    refreshSeconds: { type: 'integer', minimum: 10, maximum: 3600, default: 60, description: 'The page reloads itself this often.' },
    cacheMs: { type: 'integer', minimum: 0, maximum: 600_000, default: 10_000, description: 'Page and target list are read again after this long, ms (0: every request).' },
    showUrls: { enum: ['none', 'path', 'full'], default: 'path', description: 'Target URLs shown: none; path (no credentials, query or fragment); full (no credentials).' },
    showErrors: { type: 'boolean', default: false, description: "Show checks' error codes and messages (failure reasons are always shown)." },
    incidentDays: { type: 'integer', minimum: 1, maximum: 365, default: 14, description: 'Resolved incidents shown for this many days.' },
    staleAfterMs: statusReaderOptionsSchema.properties.staleAfterMs,
    certificateWarnDays: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'integer', minimum: 1, maximum: 3650 },
      default: [...certificateWarnDaysDefault],
      description: "A certificate within the largest of these days of expiry is shown in amber (an expired one in red): keep it in step with alerts.certificates.warnDays, which this service does not read.",
    },
    publish: {
      enum: ['listed', 'all'],
      description: 'Required, no default: the targets published are those of status.targets (listed), or every target in the database, by id (all).',
    },
    targets: {
      type: 'array',
      minItems: 1,
      description: 'With publish: listed, the targets published, in this order, with names and groups.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          group: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
    },
    shutdownTimeoutMs: { type: 'integer', minimum: 1000, default: 10_000, description: 'Longer than this, a shutdown is cut short (exit 3), ms.' },
  },
} as const;

/** The sections this service reads, as JSON Schemas (also used to build config/sitewatch.schema.json). */
export const statusSections = { log: logConfigSchema, postgres: pgSinkOptionsSchema, status: statusSectionSchema } as const;

export const statusConfigSchema = configFileSchema(statusSections, { required: ['postgres'] });

/** A target as the page shows it. */
export interface ShownTarget {
  id: string;
  name?: string;
  group?: string;
}

/** The `status` section, defaults applied. */
export interface StatusSection {
  listen: { port: number; host: string };
  metrics?: { port: number; host: string };
  database?: { url: string; ssl?: SinkSslOptions };
  title: string;
  refreshSeconds: number;
  cacheMs: number;
  showUrls: UrlDisplay;
  showErrors: boolean;
  incidentDays: number;
  staleAfterMs: number;
  /** Days before expiry of the alerts' certificate notices: within the largest, a certificate is shown as expiring. */
  certificateWarnDays: number[];
  /** What is published: the targets of `targets`, or every target in the database. */
  publish: 'listed' | 'all';
  /** With `publish: listed`, the targets published. */
  targets?: ShownTarget[];
  shutdownTimeoutMs: number;
}

/** The config file as the status service reads it. */
export interface StatusConfig {
  log: { level: LogLevel; pretty?: boolean };
  postgres: Omit<SinkOptions, 'sql' | 'logger' | 'now' | 'onInserted'>;
  status: StatusSection;
}

/**
 * What is published is a choice the config makes, never a default: a status section that
 * leaves it out is told what to write.
 */
function publicationProblems(status: StatusSection): Problem[] {
  if (status.publish === undefined) {
    return [{ path: '/status/publish', message: 'is required: write `publish: listed` and list the targets to publish under status.targets, or `publish: all` to publish every target in the database, by id' }];
  }
  if (status.publish === 'listed' && status.targets === undefined) return [{ path: '/status/targets', message: 'is required with publish: listed: the targets to publish, e.g. [{ id: shop, name: Shop, group: Public }]' }];
  if (status.publish === 'all' && status.targets !== undefined) return [{ path: '/status/targets', message: 'lists targets, but publish: all publishes every target in the database by id: write publish: listed to publish only these' }];
  return [];
}

/** What the schema cannot see: what is published, target ids named twice, and the connection settings by the sink's own rules. */
export function checkStatusConfig(config: StatusConfig): Problem[] {
  const problems = relocateProblems(checkSinkOptions(config.postgres), { '': '/postgres' });
  if (config.status.database) problems.push(...relocateProblems(checkSinkOptions({ ...config.status.database }), { '': '/status/database' }));
  problems.push(...publicationProblems(config.status));
  const seen = new Set<string>();
  (config.status.targets ?? []).forEach((target, i) => {
    if (seen.has(target.id)) problems.push({ path: `/status/targets/${i}/id`, message: `names ${target.id} again` });
    seen.add(target.id);
  });
  return problems;
}

/** The database connection of this service: `status.database` when set, else the `postgres` section's. */
export function connectionOptions(config: StatusConfig): Omit<SinkOptions, 'sql' | 'logger' | 'now' | 'onInserted'> {
  const { url: _url, ssl: _ssl, ...rest } = config.postgres;
  const connection = config.status.database ?? config.postgres;
  return { ...rest, url: connection.url, ...(connection.ssl ? { ssl: connection.ssl } : {}), poolSize: 4, applicationName: 'sitewatch-status' };
}

/** Reads the status service's sections of a config file: references resolved, checked, defaults applied. */
export function loadStatusConfig(file: string, env: Record<string, string | undefined>): LoadedConfig<StatusConfig> {
  return loadConfig<StatusConfig>(file, { schema: statusConfigSchema, sections: Object.keys(statusSections), env, check: checkStatusConfig });
}
