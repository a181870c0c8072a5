// sitewatch-alerts' view of the config file: `log`, `alerts` (the channels, for `test`) and
// `postgres` (where the incidents and the outbox are, for `list`), checked by the same schemas
// and rules as the consumer's. Each command resolves only the sections it reads, so `test`
// runs where the database's secrets are not at hand.
import { alertsOptionsSchema, checkAlertsOptions, type AlertsOptions } from '@sitewatch/alerts';
import { checkSinkOptions, pgSinkOptionsSchema, type SinkOptions } from '@sitewatch/pg-sink';
import { relocateProblems } from '@sitewatch/schema';
import { configFileSchema, loadConfig, logConfigSchema, type LoadedConfig, type LogLevel } from '@sitewatch/service';

/** The sections this command reads. */
export const alertsCommandSections = { log: logConfigSchema, postgres: pgSinkOptionsSchema, alerts: alertsOptionsSchema } as const;

/** The commands, and the sections each reads (the first ones required). */
export const commandSections = { test: ['alerts', 'log'], list: ['postgres', 'log', 'alerts'] } as const;

/** The config file as this command reads it, defaults applied; the sections the command does not read are absent. */
export interface AlertsCommandConfig {
  log: { level: LogLevel; pretty?: boolean };
  postgres?: Omit<SinkOptions, 'sql' | 'logger' | 'now' | 'onInserted'>;
  alerts: Omit<AlertsOptions, 'sql' | 'schema' | 'logger' | 'now'>;
}

/** Reads the sections `command` needs: references resolved, checked by the libraries' rules, defaults applied. */
export function loadAlertsCommandConfig(file: string, command: keyof typeof commandSections, env: Record<string, string | undefined>): LoadedConfig<AlertsCommandConfig> {
  const [required, ...optional] = commandSections[command];
  const sections = Object.fromEntries([required, ...optional].map((name) => [name, alertsCommandSections[name]]));
  const schema = configFileSchema(sections, { required: [required] });
  const check = (config: AlertsCommandConfig) => [
    ...(config.postgres ? relocateProblems(checkSinkOptions(config.postgres), { '': '/postgres' }) : []),
    ...relocateProblems(checkAlertsOptions(config.alerts), { '': '/alerts' }),
  ];
  return loadConfig<AlertsCommandConfig>(file, { schema, sections: Object.keys(sections), env, check });
}
