// Builds the config file's published JSON Schema (config/sitewatch.schema.json, for editors)
// and the README's configuration reference from the sections each app validates, so that
// neither can drift from the code. Run with the condition @sitewatch/source, so the libraries
// are read from their sources, never from a build that may be stale or absent:
//   npm run config:reference                                                write both
//   npx tsx --conditions=@sitewatch/source tools/config-reference.ts --check  fail if either is stale (CI)
import fs from 'node:fs';
import path from 'node:path';
import { allSections } from '../apps/cli/src/all/config.js';
import { consumerSections } from '../apps/consumer/src/config.js';
import { producerSections } from '../apps/producer/src/config.js';
import { statusSections } from '../apps/status/src/config.js';
import { root, writeOrCheck } from './generated-files.js';

type Schema = {
  type?: string | string[];
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: readonly Schema[];
  required?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  /** A map's values (alerts.channels). */
  additionalProperties?: Schema | boolean;
  /** A credential: scrubbed from logs whatever its form (libs/schema's `secret: true`). */
  secret?: boolean;
  /** Variants chosen by a field (if/then: alerts.channels.<name> by `type`). */
  allOf?: readonly { if?: { properties?: Record<string, Schema> }; then?: Schema }[];
};

const schemaFile = path.join(root, 'config', 'sitewatch.schema.json');
const readmeFile = path.join(root, 'README.md');
const markers = ['<!-- config-reference:start -->', '<!-- config-reference:end -->'] as const;

const readers: Record<string, string> = {
  log: 'both services, sitewatch-targets and sitewatch-alerts',
  kafka: 'both services and sitewatch-targets',
  checker: 'the producer; `checker.registry` also by sitewatch-targets',
  producer: 'the producer',
  consumer: 'the consumer',
  postgres: 'the consumer, the status service and `sitewatch-alerts list`',
  alerts: 'the consumer; also by sitewatch-alerts (`test` sends through `alerts.channels`)',
  status: 'the status service (page, API, badges, report)',
  all: '`sitewatch all`, which also reads every section above as the three services do',
};
const sections = { ...producerSections, ...consumerSections, ...statusSections, ...allSections } as unknown as Record<string, Schema>;

function fileSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://sitewatch.dev/schemas/config.json',
    title: 'sitewatch config file',
    description: 'One file for both services; each reads and validates its own sections.',
    type: 'object',
    additionalProperties: false,
    required: ['kafka'],
    properties: { $schema: { type: 'string' }, ...sections },
  };
}

function typeOf(s: Schema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && !s.properties) return 'map';
  return Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
}

function rows(s: Schema, at: string, required: boolean): string[] {
  const bounds = [s.minimum !== undefined ? `≥ ${s.minimum}` : '', s.maximum !== undefined ? `≤ ${s.maximum}` : ''].filter(Boolean).join(', ');
  const secret = s.secret ? 'a secret' : typeof s.additionalProperties === 'object' && s.additionalProperties.secret ? 'its values are secrets' : '';
  const notes = [s.description?.replace(/\.$/, '') ?? '', bounds, secret].filter(Boolean).join('; ').replaceAll('|', '\\|');
  const isSection = typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default);
  const deflt = s.default === undefined || isSection ? '' : `\`${JSON.stringify(s.default)}\``;
  // A group of settings gets its own row only when it says something (status.database: its default).
  const own = s.properties && !(at.includes('.') && notes) ? [] : [`| \`${at}\` | ${typeOf(s)} | ${required ? 'yes' : ''} | ${deflt} | ${notes} |`];
  // An option that is either a flag or an object (kafka.tls): list the object's settings too.
  const variant = s.anyOf?.find((option) => option.properties);
  const nested = Object.entries(s.properties ?? variant?.properties ?? {}).flatMap(([key, child]) => rows(child, `${at}.${key}`, s.required?.includes(key) ?? false));
  const items = s.items?.properties
    ? Object.entries(s.items.properties).flatMap(([key, child]) => rows(child, `${at}[].${key}`, s.items!.required?.includes(key) ?? false))
    : [];
  // A map of named objects (alerts.channels): the settings of a value, each variant's after the other.
  const values = typeof s.additionalProperties === 'object' && (s.additionalProperties.properties || s.additionalProperties.allOf) ? rows({ ...s.additionalProperties, description: undefined }, `${at}.<name>`, false) : [];
  return [...own, ...nested, ...items, ...values, ...variants(s, at)];
}

/** The settings of each if/then variant, named by the value that selects it (`type: webhook`). */
function variants(s: Schema, at: string): string[] {
  return (s.allOf ?? []).flatMap((rule) => {
    const selector = Object.entries(rule.if?.properties ?? {}).find(([, value]) => value.const !== undefined);
    if (!selector || !rule.then?.properties) return [];
    const [field, { const: value }] = selector;
    return Object.entries(rule.then.properties)
      .filter(([key]) => key !== field)
      .flatMap(([key, child]) => rows({ ...child, description: `${field} ${String(value)}: ${child.description ?? ''}`.replace(/: $/, '') }, `${at}.${key}`, rule.then!.required?.includes(key) ?? false));
  });
}

function reference(): string {
  const lines = Object.entries(sections).flatMap(([name, schema]) => [
    `**\`${name}\`** (read by ${readers[name]})`,
    '',
    '| setting | type | required | default | notes |',
    '| --- | --- | --- | --- | --- |',
    ...rows(schema, name, false),
    '',
  ]);
  return [markers[0], '', ...lines, markers[1]].join('\n');
}

function updatedReadme(readme: string): string {
  const start = readme.indexOf(markers[0]);
  const end = readme.indexOf(markers[1]);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${markers.join(' … ')} markers`);
  return readme.slice(0, start) + reference() + readme.slice(end + markers[1].length);
}

writeOrCheck(
  [
    [schemaFile, `${JSON.stringify(fileSchema(), null, 2)}\n`],
    [readmeFile, updatedReadme(fs.readFileSync(readmeFile, 'utf8'))],
  ],
  'npm run config:reference',
);
