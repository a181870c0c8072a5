// The target registry's options: the JSON Schema a config file (its `registry` section) and
// the library both check them with, and the rules it cannot say, written once here.
import { compileOptions, relocateProblems, type Logger, type Problem } from '@sitewatch/schema';
import { kafkaConnectionSchema, resolveConnection, type KafkaConnectionOptions, type ResolvedConnection } from './connection.js';
import { TransportError } from './errors.js';
import { instanceProblems, instanceSchema, type InstanceOptions } from './instance.js';
import { createTopicSchema, topicNameSchema, type CreateTopicOptions } from './topics.js';

/** One record of the registry topic as a reader sees it. */
export interface RegistryRecord {
  partition: number;
  offset: string;
  /** The record key (a target id), as UTF-8 text; null for a record without a key. */
  key: string | null;
  /** The record value; null for a tombstone (the key was removed). */
  value: Buffer | null;
  /** Header values as UTF-8 text (the first value of a repeated header). */
  headers: Record<string, string>;
}

/** The registry's options, as a config file's `checker.registry` holds them plus the connection: those of readRegistry() and writeRegistry(). */
export interface RegistryOptions {
  /** Where the Kafka cluster is and how to authenticate (required). */
  connection: KafkaConnectionOptions;
  /** The compacted topic holding the records (default `sitewatch.targets`). */
  topic?: string;
  /** Create the topic (compacted) when it does not exist (default: don't; a missing topic is an error naming it). */
  createTopic?: CreateTopicOptions;
  /** The group evicts a member silent this long, and its lease is shorter still, in milliseconds (default 10 000; members only). */
  sessionTimeoutMs?: number;
  /** How often a member heartbeats, in milliseconds (default a fifth of sessionTimeoutMs, at most 3000; at most a third of it). */
  heartbeatIntervalMs?: number;
  /**
   * Who this checker is, so that after a crash its restart takes its place in the group at
   * once instead of after `sessionTimeoutMs` (default: none; members only).
   */
  instance?: InstanceOptions;
  /** Where to log (default: nowhere). */
  logger?: Logger;
}

/** Defaults of the registry options. */
export const registryDefaults = { topic: 'sitewatch.targets', sessionTimeoutMs: 10_000 } as const;

/** The cleanup policy the registry topic needs: compaction keeps the latest record of every key for ever. */
export const registryCleanupPolicy = 'compact';

/** JSON Schema fragment (draft-07) of a config file's `registry` section: the topic, how to create it, and the group timings of a member. */
export const registryOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    topic: { ...topicNameSchema, default: registryDefaults.topic, description: 'The compacted topic holding the targets (key = target id)' },
    createTopic: { ...createTopicSchema, description: 'Create the topic, compacted, when it is missing' },
    sessionTimeoutMs: {
      type: 'integer',
      minimum: 3000,
      maximum: 1_800_000,
      default: registryDefaults.sessionTimeoutMs,
      description: "ms; a checker silent this long loses its targets to the others (the broker's group.min.session.timeout.ms is 6000 by default)",
    },
    heartbeatIntervalMs: { type: 'integer', minimum: 100, description: 'ms; default a fifth of sessionTimeoutMs, at most 3000; at most a third of sessionTimeoutMs' },
    instance: instanceSchema,
  },
} as const;

/** Options of createRegistryMember(): a member of a consumer group on the registry topic. */
export interface RegistryMemberOptions extends RegistryOptions {
  /** The consumer group: the members share the topic's partitions (required; one group per location). */
  groupId: string;
  /** Told of assignments, revocations and records (required). */
  listener: RegistryListener;
}

/**
 * What a registry member tells its user. Calls come one at a time, in this order for a
 * partition: `assigned`, its records from the start of the partition and then as they are
 * written, `revoked`. Each must return quickly (no I/O): the member heartbeats between calls.
 */
export interface RegistryListener {
  /** These partitions are this member's now; their records follow, from the beginning. */
  assigned(partitions: number[]): void;
  /** These partitions are not this member's any more: stop using their records at once. */
  revoked(partitions: number[]): void;
  /** One record of an assigned partition. */
  record(record: RegistryRecord): void;
}

/** RegistryMemberOptions checked, with defaults. */
export interface RegistryMemberSettings {
  topic: string;
  groupId: string;
  listener: RegistryListener;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  createTopic?: CreateTopicOptions;
  instance?: InstanceOptions;
}

// What only code can pass: the connection (its own section in a config file), a logger, the group and listener.
const topicSchema = {
  ...registryOptionsSchema,
  required: ['connection'],
  properties: { ...registryOptionsSchema.properties, connection: kafkaConnectionSchema, logger: { typeof: 'object' } },
} as const;
const librarySchema = {
  ...topicSchema,
  required: ['connection', 'groupId', 'listener'],
  properties: { ...topicSchema.properties, groupId: { type: 'string', minLength: 1 }, listener: { typeof: 'object' } },
} as const;
type Validated = Omit<RegistryMemberSettings, 'heartbeatIntervalMs'> & { heartbeatIntervalMs?: number; connection: KafkaConnectionOptions };
const validateMember = compileOptions<Validated>(librarySchema);
const validateTopic = compileOptions<Validated>(topicSchema);

/** Rules the schema cannot say, on options it accepted (defaults filled in). */
function ruleProblems(value: Validated): { settings: RegistryMemberSettings; problems: Problem[] } {
  const { connection: _connection, logger: _logger, ...given } = value as Validated & { logger?: Logger };
  const heartbeatIntervalMs = given.heartbeatIntervalMs ?? Math.min(3000, Math.floor(given.sessionTimeoutMs / 5));
  const problems: Problem[] = [];
  if (heartbeatIntervalMs * 3 > given.sessionTimeoutMs) {
    problems.push({ path: '/heartbeatIntervalMs', message: `must be at most a third of sessionTimeoutMs (${given.sessionTimeoutMs}), so a late heartbeat does not cost the lease` });
  }
  const policy = given.createTopic?.config?.['cleanup.policy'];
  if (policy !== undefined && policy !== registryCleanupPolicy) {
    problems.push({ path: '/createTopic/config/cleanup.policy', message: `must be ${registryCleanupPolicy}: the registry keeps the latest record of every target for ever` });
  }
  problems.push(...instanceProblems(given.instance));
  return { settings: { ...given, heartbeatIntervalMs }, problems };
}

function prepare(options: object, validate: typeof validateMember): { settings?: RegistryMemberSettings; connection?: ResolvedConnection; problems: Problem[] } {
  const { value, problems } = validate(options);
  if (problems.length > 0) return { problems };
  const { settings, problems: rules } = ruleProblems(value);
  const resolved = resolveConnection(value.connection);
  problems.push(...relocateProblems(resolved.problems, { '': '/connection' }), ...rules);
  return problems.length > 0 ? { problems } : { settings, connection: resolved.connection!, problems };
}

/**
 * Everything wrong with registry options, by JSON Pointer (e.g. `/heartbeatIntervalMs`), as
 * the registry functions would refuse them, without connecting; empty when they are fine.
 */
export function checkRegistryOptions(options: RegistryOptions): Problem[] {
  return prepare(options, validateTopic).problems;
}

/** Checks member options, fills in the defaults and reads the TLS files; throws ERR_TRANSPORT_OPTIONS listing every problem. */
export function resolveRegistryMemberOptions(options: RegistryMemberOptions): { settings: RegistryMemberSettings; connection: ResolvedConnection } {
  const { settings, connection, problems } = prepare(options, validateMember);
  if (problems.length > 0) throw new TransportError('ERR_TRANSPORT_OPTIONS', 'invalid registry options', { problems });
  return { settings: settings!, connection: connection! };
}

/** Checks the options of readRegistry()/writeRegistry(); throws ERR_TRANSPORT_OPTIONS listing every problem. */
export function resolveRegistryOptions(options: RegistryOptions): { topic: string; createTopic?: CreateTopicOptions; connection: ResolvedConnection } {
  const { settings, connection, problems } = prepare(options, validateTopic);
  if (problems.length > 0) throw new TransportError('ERR_TRANSPORT_OPTIONS', 'invalid registry options', { problems });
  return { topic: settings!.topic, ...(settings!.createTopic && { createTopic: settings!.createTopic }), connection: connection! };
}
