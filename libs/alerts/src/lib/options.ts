// The alerts options: the JSON Schema a config file's `alerts` section and createAlerts()
// both check them with (defaults in it), the types, and the rules it cannot say (a rule
// naming a channel that does not exist, a window that ends before it starts, an unknown time
// zone, an unreadable CA file), run once at construction and by the consumer's config check.
import { sqlIdentifierPattern } from '@sitewatch/pg-sink';
import { backoffProblems, backoffSchema, compileOptions, pointer, readPemFile, whenPresent, type Logger, type Problem } from '@sitewatch/schema';
import type postgres from 'postgres';
import { channelSchema, type ChannelOptions } from './channel-options.js';
import { AlertsError } from './errors.js';

export type * from './channel-options.js';

/** Thresholds and channels of a rule; every field optional in an override. */
export interface RuleSettings {
  /** Consecutive down checks after which a location counts as failing (default 3). */
  failureThreshold?: number;
  /** Consecutive up checks after which a failing location counts as recovered (default 2). */
  successThreshold?: number;
  /** Failing locations needed for the target to be down (default: a majority of the locations reporting). */
  quorum?: number;
  /** Period of reminders while an incident stays open, ms (default: none). */
  remindEveryMs?: number;
  /** Names of the channels notified (default: every channel). */
  channels?: readonly string[];
  /** An up check slower than this is slow, ms (default: none, no absolute rule). */
  slowMs?: number;
  /**
   * The relative rule: while the p95 of the target's response times over the current and the
   * previous hour is above `slowFactor` × its p95 over the 7 days before today, its up checks are slow
   * (default: none, no relative rule).
   */
  slowFactor?: number;
  /** Consecutive slow checks after which a location is degraded (default 3); `successThreshold` fast ones clear it. */
  slowThreshold?: number;
  /** Certificate expiry notices of the targets of a rule (default: `alerts.certificates`). */
  certificates?: CertificateSettings;
}

/** Notices of a target's TLS certificate (the `tlsNotAfter` of its https checks). */
export interface CertificateSettings {
  /** Send them (default true). */
  enabled?: boolean;
  /** Days before expiry at which one notice each is sent (default [30, 14, 7, 1]). */
  warnDays?: readonly number[];
}

/** Settings for the targets whose id matches one of `targets` (globs: `*` any run of characters, `?` one). The first matching rule wins. */
export interface RuleOverride extends RuleSettings {
  targets: readonly string[];
}

/** Days of a weekly window. */
export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * A maintenance window: while it lasts nothing is sent for the targets it covers (incidents
 * are still recorded, and marked). Either once (`start`, `end`), or weekly (`every`, `at`,
 * `durationMs`, `timeZone`).
 */
export interface MaintenanceWindow {
  /** Target id globs (default: every target). */
  targets?: readonly string[];
  /** Start of a one-off window (ISO 8601 with an offset). */
  start?: string;
  /** Its end. */
  end?: string;
  /** Days a weekly window starts on. */
  every?: readonly (typeof weekDays)[number][];
  /**
   * Its start, `HH:MM` on the clock of `timeZone`: on each of its days, the instant the clock
   * shows it (a time the clock skips is moved forward by the gap: 02:30 on a night that goes
   * from 02:00 to 03:00 is 03:30; a time it shows twice is the first of the two).
   */
  at?: string;
  /** Its length, ms of elapsed time, whatever the clock does meanwhile (at most a day). */
  durationMs?: number;
  /** IANA time zone of `at` (default `UTC`). */
  timeZone?: string;
}

/** The notifier loop: sends what the outbox holds. */
export interface NotifierOptions {
  /** Run the notifier in this process (default true). Several processes may: they share the work. */
  enabled?: boolean;
  /** Pause between two looks at the outbox when it was empty, ms (default 1000). */
  pollIntervalMs?: number;
  /** Budget of one delivery attempt, ms (default 10 000). */
  sendTimeoutMs?: number;
  /** Delays between attempts of a failing delivery (default 1 s doubling to 5 min). */
  retry?: { initialMs?: number; maxMs?: number };
  /** A delivery still failing this long after its notification was written is abandoned, ms (default a day). */
  giveUpAfterMs?: number;
}

/** Options of `createAlerts()`: the config file's `alerts` section, plus what only code passes. */
export interface AlertsOptions {
  /** Evaluate results into incidents (default true); false: no incidents, no notifications. */
  enabled?: boolean;
  /** Link put in notifications (e.g. the status page). */
  statusPageUrl?: string;
  defaults?: Omit<RuleSettings, 'certificates'>;
  rules?: RuleOverride[];
  /** Certificate expiry notices (default: on, at 30, 14, 7 and 1 days). */
  certificates?: CertificateSettings;
  maintenance?: MaintenanceWindow[];
  /** Channels by name. */
  channels?: Record<string, ChannelOptions>;
  notifier?: NotifierOptions;
  /** Connections of the notifier (reminders, deliveries, figures); evaluation uses the sink's transaction. Required. */
  sql?: postgres.Sql;
  /** Schema of the tables, the sink's (default `sitewatch`). */
  schema?: string;
  logger?: Logger;
  /** Clock, for tests (default `() => new Date()`). */
  now?: () => Date;
}

/** AlertsOptions with the defaults applied. */
export interface ResolvedAlertsOptions {
  enabled: boolean;
  statusPageUrl?: string;
  defaults: Required<Pick<RuleSettings, 'failureThreshold' | 'successThreshold' | 'slowThreshold'>> & Pick<RuleSettings, 'quorum' | 'remindEveryMs' | 'channels' | 'slowMs' | 'slowFactor'>;
  rules: RuleOverride[];
  certificates: Required<CertificateSettings>;
  maintenance: MaintenanceWindow[];
  channels: Record<string, ChannelOptions>;
  notifier: Required<Omit<NotifierOptions, 'retry'>> & { retry: { initialMs: number; maxMs: number } };
  sql: postgres.Sql;
  schema: string;
  logger?: Logger;
  now: () => Date;
}

const globs = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'Target id globs: * any run of characters, ? one.' } as const;
const channelName = '^[a-z0-9][a-z0-9_-]{0,62}$';

function ruleSettings(withDefaults: boolean) {
  const value = <T extends object>(schema: T, def: number) => (withDefaults ? { ...schema, default: def } : schema);
  return {
    failureThreshold: value({ type: 'integer', minimum: 1, maximum: 1000, description: 'Consecutive down checks after which a location is failing.' }, 3),
    successThreshold: value({ type: 'integer', minimum: 1, maximum: 1000, description: 'Consecutive up checks after which a failing location has recovered.' }, 2),
    quorum: { type: 'integer', minimum: 1, maximum: 100, description: 'Failing locations that make the target down (default: a majority of those reporting).' },
    remindEveryMs: { type: 'integer', minimum: 1000, maximum: 604_800_000, description: 'Reminders while an incident stays open, ms (default: none).' },
    channels: { type: 'array', items: { type: 'string', pattern: channelName }, description: 'Channels notified (default: every channel).' },
    slowMs: { type: 'integer', minimum: 1, maximum: 3_600_000, description: 'An up check slower than this is slow, ms (default: none).' },
    slowFactor: {
      type: 'number',
      minimum: 1,
      maximum: 1000,
      description: "Slow while the p95 of the target's current and previous hour is above this many times its p95 of the 7 days before today (default: none).",
    },
    slowThreshold: value({ type: 'integer', minimum: 1, maximum: 1000, description: 'Consecutive slow checks after which a location is degraded (successThreshold fast ones clear it).' }, 3),
  } as const;
}

/** Defaults of the certificate notices. */
export const certificateDefaults = { enabled: true, warnDays: [30, 14, 7, 1] } as const;

function certificateSettings(withDefaults: boolean) {
  return {
    type: 'object',
    additionalProperties: false,
    ...(withDefaults ? { default: {} } : {}),
    description: "Notices of a target's TLS certificate: one as it comes within each of warnDays of expiry, one when it has expired, one when a renewed one is seen.",
    properties: {
      enabled: { type: 'boolean', ...(withDefaults ? { default: certificateDefaults.enabled } : {}), description: 'Send certificate notices.' },
      warnDays: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'integer', minimum: 1, maximum: 3650 },
        ...(withDefaults ? { default: certificateDefaults.warnDays } : {}),
        description: 'Days before expiry at which one notice each is sent.',
      },
    },
  } as const;
}

const http = { type: 'string', pattern: '^https?://', description: 'http(s) URL.' } as const;

const windowSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    targets: globs,
    start: { type: 'string', format: 'date-time', description: 'Start of a one-off window (ISO 8601 with offset).' },
    end: { type: 'string', format: 'date-time', description: 'End of a one-off window.' },
    every: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...weekDays] }, description: 'Days a weekly window starts on.' },
    at: {
      type: 'string',
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      description: 'Local start of a weekly window, HH:MM; a time the clock skips is moved forward by the gap, a time it shows twice is the first.',
    },
    durationMs: { type: 'integer', minimum: 60_000, maximum: 86_400_000, description: 'Length of a weekly window, ms of elapsed time (across a clock change too).' },
    timeZone: { type: 'string', minLength: 1, description: 'IANA time zone of at (default UTC).' },
  },
  allOf: [
    whenPresent('start', { required: ['end'], not: { anyOf: [{ required: ['every'] }, { required: ['at'] }, { required: ['durationMs'] }] } }, 'needs end, and no every, at or durationMs'),
    whenPresent('every', { required: ['at', 'durationMs'], not: { required: ['end'] } }, 'needs at and durationMs, and no end'),
  ],
} as const;

/** Defaults of the notifier. */
export const notifierDefaults = { enabled: true, pollIntervalMs: 1000, sendTimeoutMs: 10_000, retry: { initialMs: 1000, maxMs: 300_000 }, giveUpAfterMs: 86_400_000 } as const;

/** JSON Schema fragment (draft-07) of the `alerts` section; `sql`, `schema`, `logger` and `now` only code passes. */
export const alertsOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true, description: 'Evaluate results into incidents; false: no incidents, no notifications.' },
    statusPageUrl: { ...http, description: 'Link put in notifications.' },
    defaults: { type: 'object', additionalProperties: false, default: {}, properties: ruleSettings(true) },
    rules: {
      type: 'array',
      default: [],
      description: 'Overrides of the defaults for targets by id; the first match wins.',
      items: { type: 'object', additionalProperties: false, required: ['targets'], properties: { targets: globs, ...ruleSettings(false), certificates: certificateSettings(false) } },
    },
    certificates: certificateSettings(true),
    maintenance: { type: 'array', default: [], items: windowSchema, description: 'Windows during which nothing is sent (incidents are recorded, marked).' },
    channels: { type: 'object', default: {}, propertyNames: { pattern: channelName }, additionalProperties: channelSchema, description: 'Channels by name.' },
    notifier: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: notifierDefaults.enabled, description: 'Send notifications from this process (several may).' },
        pollIntervalMs: { type: 'integer', minimum: 50, maximum: 60_000, default: notifierDefaults.pollIntervalMs, description: 'Pause when the outbox was empty, ms.' },
        sendTimeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: notifierDefaults.sendTimeoutMs, description: 'Budget of one delivery attempt, ms.' },
        retry: {
          ...backoffSchema,
          properties: {
            initialMs: { ...backoffSchema.properties.initialMs, default: notifierDefaults.retry.initialMs },
            maxMs: { ...backoffSchema.properties.maxMs, default: notifierDefaults.retry.maxMs },
          },
        },
        giveUpAfterMs: { type: 'integer', minimum: 60_000, default: notifierDefaults.giveUpAfterMs, description: 'A delivery failing this long is abandoned, ms.' },
      },
    },
  },
} as const;

const librarySchema = {
  ...alertsOptionsSchema,
  properties: {
    ...alertsOptionsSchema.properties,
    sql: { typeof: 'function' },
    schema: { type: 'string', pattern: sqlIdentifierPattern, default: 'sitewatch' },
    logger: { typeof: 'object' },
    now: { typeof: 'function' },
  },
} as const;

const validate = compileOptions<ResolvedAlertsOptions>(librarySchema);

/** Whether `zone` is an IANA time zone this runtime knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function windowProblems(window: MaintenanceWindow, at: string): Problem[] {
  if (window.start !== undefined && window.end !== undefined && Date.parse(window.end) <= Date.parse(window.start)) {
    return [{ path: `${at}/end`, message: 'must be after start' }];
  }
  if (window.start === undefined && window.every === undefined) return [{ path: at, message: 'needs start and end, or every, at and durationMs' }];
  if (window.timeZone !== undefined && !isTimeZone(window.timeZone)) return [{ path: `${at}/timeZone`, message: `is not a time zone this runtime knows (e.g. Europe/Paris)` }];
  return [];
}

/** What the schema cannot say about options it accepted; paths are JSON Pointers into the options. */
function rules(options: ResolvedAlertsOptions): Problem[] {
  const known = new Set(Object.keys(options.channels));
  const unknownChannels = (channels: readonly string[] | undefined, at: string) =>
    (channels ?? []).flatMap((name, i) => (known.has(name) ? [] : [{ path: pointer(`${at}/channels`, i), message: `names no channel of /channels (${[...known].join(', ') || 'none'})` }]));
  const problems = [
    ...unknownChannels(options.defaults.channels, '/defaults'),
    ...options.rules.flatMap((rule, i) => unknownChannels(rule.channels, pointer('/rules', i))),
    ...options.maintenance.flatMap((window, i) => windowProblems(window, pointer('/maintenance', i))),
    ...backoffProblems(options.notifier.retry, '/notifier/retry'),
  ];
  for (const [name, channel] of Object.entries(options.channels)) {
    if (channel.type !== 'email' || channel.caFile === undefined) continue;
    const read = readPemFile(channel.caFile, `${pointer('/channels', name)}/caFile`);
    if ('problem' in read) problems.push(read.problem);
  }
  return problems;
}

function prepare(options: AlertsOptions): { value: ResolvedAlertsOptions; problems: Problem[] } {
  const { value, problems } = validate(options);
  if (problems.length === 0) problems.push(...rules(value));
  return { value, problems };
}

/**
 * Everything wrong with alerts options, by JSON Pointer (e.g. `/rules/0/channels/1`), as
 * createAlerts() would refuse them (a missing `sql` aside); empty when they are fine.
 */
export function checkAlertsOptions(options: AlertsOptions): Problem[] {
  return prepare(options).problems;
}

/** Checks options once, fills in defaults; throws ERR_ALERTS_INVALID_OPTIONS listing every problem. */
export function resolveAlertsOptions(options: AlertsOptions): ResolvedAlertsOptions {
  const { value, problems } = prepare(options);
  if (problems.length === 0 && value.sql === undefined) problems.push({ path: '/sql', message: 'is required: a postgres.js client for the notifier' });
  if (problems.length > 0) throw new AlertsError('ERR_ALERTS_INVALID_OPTIONS', 'invalid alerts options', { problems });
  return { ...value, now: value.now ?? (() => new Date()) };
}
