import { failureReasons, schemaVersion } from './check-result.js';

const milliseconds = { type: 'number', minimum: 0 } as const;
const timestamp = { type: 'string', format: 'date-time', maxLength: 40 } as const;
const regexResult = {
  type: 'object',
  required: ['pattern', 'matched'],
  properties: {
    pattern: { type: 'string', minLength: 1, maxLength: 1024 },
    matched: { type: 'boolean' },
  },
} as const;

/**
 * JSON Schema (draft 2020-12) of the CheckResult message, version 1, revision 1.2. Unknown
 * properties are allowed, so a v1 reader accepts messages from a newer minor revision of v1
 * that adds a field; a new reason (1.1 added `blocked`, 1.2 `assertion` and `invalid_json`)
 * is refused by readers of the revisions before it. Shipped as
 * libs/schema/schemas/check-result.v1.json (tools/message-schemas.ts), revisions 1.0 and 1.1
 * frozen beside it as check-result.v1.0.json and check-result.v1.1.json.
 */
export const checkResultSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://sitewatch.dev/schemas/check-result/v1.json',
  title: 'CheckResult',
  description: 'One HTTP(S) check of one target. Version 1 (the field v), revision 1.2: 1.1 added the reason blocked, 1.2 the reasons assertion and invalid_json.',
  type: 'object',
  required: ['v', 'id', 'targetId', 'url', 'probeId', 'scheduledAt', 'startedAt', 'outcome', 'responseTimeMs', 'phases', 'bytesRead', 'redirects'],
  properties: {
    v: { const: schemaVersion },
    id: { type: 'string', format: 'uuid', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7' },
    targetId: { type: 'string', minLength: 1, maxLength: 128 },
    url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    probeId: { type: 'string', minLength: 1, maxLength: 128 },
    scheduledAt: timestamp,
    startedAt: timestamp,
    outcome: { enum: ['up', 'down'] },
    reason: { enum: failureReasons },
    statusCode: { type: 'integer', minimum: 100, maximum: 999 },
    responseTimeMs: milliseconds,
    phases: {
      type: 'object',
      properties: { dnsMs: milliseconds, tcpMs: milliseconds, tlsMs: milliseconds, ttfbMs: milliseconds, downloadMs: milliseconds },
    },
    regex: {
      type: 'object',
      properties: { mustMatch: regexResult, mustNotMatch: regexResult },
    },
    tlsNotAfter: timestamp,
    bytesRead: { type: 'integer', minimum: 0 },
    redirects: { type: 'integer', minimum: 0 },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', minLength: 1, maxLength: 64 },
        message: { type: 'string', maxLength: 1024 },
      },
    },
  },
  allOf: [
    // A down check says why; an up check has no reason.
    { if: { properties: { outcome: { const: 'down' } } }, then: { required: ['reason'] } },
    { if: { required: ['reason'] }, then: { properties: { outcome: { const: 'down' } }, description: 'is only for a down check' } },
  ],
} as const;
