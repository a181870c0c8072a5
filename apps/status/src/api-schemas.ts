// JSON Schemas of the API's requests and responses: fastify validates and serializes with
// them, and @fastify/swagger publishes them as the OpenAPI document (/api/v1/openapi.json).
import { maxDays, phaseNames } from '@sitewatch/status';
import { apiErrorCodes } from './errors.js';

const num = { type: ['number', 'null'] } as const;
const reasons = { type: 'object', additionalProperties: { type: 'integer' }, description: 'Down checks per failure reason (dns, connect, tls, timeout, status, ...).' } as const;
const error = { type: 'object', properties: { code: { type: ['string', 'null'] }, message: { type: ['string', 'null'] } }, description: 'Only when the server shows error texts (status.showErrors).' } as const;

/** A window's figures. */
export const summarySchema = {
  type: 'object',
  required: ['checks', 'up', 'uptimePct', 'p50Ms', 'p95Ms', 'reasons'],
  properties: { checks: { type: 'integer' }, up: { type: 'integer' }, uptimePct: num, meanMs: num, p50Ms: num, p95Ms: num, p99Ms: num, maxMs: num, reasons },
} as const;

const day = {
  type: 'object',
  required: ['day', 'checks', 'up', 'uptimePct', 'p95Ms', 'reasons', 'degradedMs'],
  properties: {
    day: { type: 'string', format: 'date' },
    checks: { type: 'integer' },
    up: { type: 'integer' },
    uptimePct: num,
    p95Ms: num,
    reasons,
    degradedMs: { type: 'number', description: 'Time of the day during which the target was degraded (a degraded incident open: up but slow), ms; 0 when the alerts are not kept.' },
  },
} as const;

const check = {
  type: 'object',
  properties: {
    location: { type: 'string' },
    state: { enum: ['up', 'degraded', 'down'], description: 'down: its latest check was down; degraded: up, but the alerts hold it slow; else up.' },
    checkedAt: { type: 'string', format: 'date-time' },
    outcome: { enum: ['up', 'down'] },
    reason: { type: ['string', 'null'] },
    statusCode: { type: ['integer', 'null'] },
    responseMs: { type: 'number' },
    error,
  },
} as const;

const target = {
  type: 'object',
  required: ['id', 'name', 'state'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    group: { type: ['string', 'null'] },
    url: { type: 'string', description: 'As status.showUrls allows: by default without credentials, query or fragment.' },
    state: {
      enum: ['up', 'degraded', 'partial', 'down', 'unknown'],
      description: 'down: every reporting location down; partial: some; degraded: none down, but a location degraded or a degraded incident open; unknown: no location reports.',
    },
    locations: { type: 'array', items: check },
    certificate: {
      type: ['object', 'null'],
      required: ['notAfter', 'daysLeft', 'level'],
      description: "Its TLS certificate: of its latest https check, else as the alerts last saw it; null when none is known.",
      properties: {
        notAfter: { type: 'string', format: 'date-time' },
        daysLeft: { type: 'integer', description: 'Whole days until notAfter, rounded down (negative once expired).' },
        level: { enum: ['ok', 'expiring', 'expired'], description: 'expiring: within the largest of status.certificateWarnDays.' },
      },
    },
    uptime: { type: 'object', properties: { '24h': num, '7d': num, '90d': num } },
    p50Ms: { type: 'object', properties: { '24h': num, '7d': num } },
    p95Ms: { type: 'object', properties: { '24h': num, '7d': num } },
  },
} as const;

const phaseMs = Object.fromEntries(Object.keys(phaseNames).map((phase) => [phase, { type: 'number' }]));

const slow = {
  type: ['object', 'null'],
  description: 'The latest slow check of a degraded incident, as the webhook body gives it (null for a down incident).',
  properties: {
    responseTimeMs: { type: 'number' },
    limitMs: { type: 'number', description: "The limit it is over: slowMs, or for the relative rule slowFactor × the target's 7-day p95." },
    rule: { enum: ['absolute', 'relative'] },
    phases: { type: 'object', properties: phaseMs, description: 'Its phases, ms.' },
    slowestPhase: { type: ['string', 'null'], enum: [...Object.values(phaseNames), null], description: 'The phase that took longest.' },
    recentP95Ms: { type: 'number', description: 'Relative rule: the p95 of the current and the previous hour.' },
    baselineP95Ms: { type: 'number', description: 'Relative rule: the p95 of the 7 days before today.' },
  },
} as const;

const incident = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: "The incident's id, as the alerts' webhook body gives it (incident.id)." },
    target: { type: 'string' },
    name: { type: 'string' },
    kind: { enum: ['down', 'degraded'], description: 'down, or degraded (up but slow); a degraded incident that went down is down, with escalatedAt.' },
    openedAt: { type: 'string', format: 'date-time' },
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
    durationMs: num,
    escalatedAt: { type: ['string', 'null'], format: 'date-time', description: 'When a degraded incident went down.' },
    reason: { type: 'string', description: 'The failure reason; slow for a degraded incident.' },
    statusCode: { type: ['integer', 'null'] },
    locations: { type: 'array', items: { type: 'string' } },
    inMaintenance: { type: 'boolean' },
    slow,
    error,
  },
} as const;

/** The body of every 4xx and 5xx answer, shared by every route (components/schemas/ApiError in the OpenAPI document). */
export const errorSchema = {
  $id: 'ApiError',
  type: 'object',
  required: ['error'],
  description: 'Every 4xx and 5xx answer, whatever refused the request.',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { enum: apiErrorCodes, description: 'What kind of failure: match on it, never on the message.' },
        message: { type: 'string', description: 'What was wrong, for people (5xx: no internal detail).' },
        problems: {
          type: 'array',
          description: 'What in the request was wrong, by JSON Pointer (/params/id, /querystring/days, /to); only when known.',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;

const errors = { '4xx': { $ref: 'ApiError#' }, '5xx': { $ref: 'ApiError#' } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 500 } } } as const;

export const targetsRoute = {
  summary: "Every target shown, with its current state (and each location's), its certificate and 24 h / 7 d / 90 d figures",
  response: { 200: { type: 'object', properties: { generatedAt: { type: 'string', format: 'date-time' }, targets: { type: 'array', items: target } } }, ...errors },
} as const;

export const summaryRoute = {
  summary: "One target's uptime, response-time percentiles and failure reasons over a range (default: the last 24 hours)",
  params: idParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { type: 'string', format: 'date-time', description: 'Start, inclusive (ISO 8601 with offset); an hour counts when it starts in the range.' },
      to: { type: 'string', format: 'date-time', description: 'End, exclusive (default now).' },
    },
  },
  response: { 200: { type: 'object', properties: { target: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, ...summarySchema.properties } }, ...errors },
} as const;

export const dailyRoute = {
  summary: "One target's daily series: a row per UTC day, oldest first, today's (in progress) last",
  params: idParams,
  querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: maxDays, default: 90 } } },
  response: { 200: { type: 'object', properties: { target: { type: 'string' }, days: { type: 'array', items: day } } }, ...errors },
} as const;

export const incidentsRoute = {
  summary: 'Open incidents and those resolved in the last days, newest first (none when alerts are not kept)',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      target: { type: 'string', minLength: 1, maxLength: 500 },
      days: { type: 'integer', minimum: 1, maximum: 3660, default: 14, description: 'Resolved incidents of this many days.' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    },
  },
  response: { 200: { type: 'object', properties: { kept: { type: 'boolean' }, incidents: { type: 'array', items: incident } } }, ...errors },
} as const;

export const badgeRoute = {
  summary: 'SVG badge: uptime-24h.svg, uptime-7d.svg, uptime-30d.svg, uptime-90d.svg or status.svg',
  params: { type: 'object', required: ['id', 'badge'], properties: { id: idParams.properties.id, badge: { type: 'string', maxLength: 40 } } },
  response: errors,
} as const;
