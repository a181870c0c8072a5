import type { JsonSchema } from '@sitewatch/schema';

/** The `log` section: level, and JSON or human-readable lines. */
export const logConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    pretty: { type: 'boolean', description: 'Human-readable lines instead of JSON (default: when stdout is a terminal).' },
  },
} as const;

/** Where a service serves /metrics, /healthz and /readyz. Absent: no ops server. */
export const opsServerConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['port'],
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65_535 },
    host: { type: 'string', minLength: 1, default: '0.0.0.0' },
  },
} as const;

/**
 * The top-level sections of a sitewatch config file, whichever service reads them: one file
 * can serve every service, and a service accepts the others' sections without reading them.
 */
export const sitewatchSections = ['log', 'kafka', 'checker', 'producer', 'consumer', 'postgres', 'alerts', 'status', 'all'] as const;

/**
 * Settings that were renamed or moved, by the JSON Pointer they had, and where they went
 * (dotted, as the README's config reference names settings). A config file that still uses
 * one is told `/checker/probeId: renamed to checker.location` instead of that it is not a
 * known setting. Every setting renamed or moved gets a row here, and keeps it.
 */
export const renamedSettings: Readonly<Record<string, string>> = {
  '/checker/probeId': 'checker.location',
};

/**
 * The schema one service validates a shared config file with: its own sections strictly,
 * the sections other services read (`otherSections`, default the rest of `sitewatchSections`)
 * as any object (they validate those), nothing else.
 */
export function configFileSchema(sections: Record<string, JsonSchema>, options: { required: string[]; otherSections?: readonly string[] }): JsonSchema {
  const otherSections = options.otherSections ?? sitewatchSections.filter((name) => !(name in sections));
  const others = Object.fromEntries(otherSections.map((name) => [name, { type: 'object', description: 'Read by another service.' }]));
  // An optional section that is absent is an empty one, so the defaults inside it apply.
  const own = Object.fromEntries(Object.entries(sections).map(([name, schema]) => [name, options.required.includes(name) ? schema : { ...schema, default: {} }]));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: options.required,
    properties: { $schema: { type: 'string' }, ...others, ...own },
  };
}
