// An incident as shown: its slow check read field by field, and the words the page gives it.
import { describe, expect, it } from '@jest/globals';
import type { IncidentRecord } from '@sitewatch/status';
import { parseHtml, select, by, text } from '../test/markup.js';
import { incident, openIncidents } from './page-incidents.js';
import { shownIncident, shownSlowness } from './shown-incident.js';

const phases = { dnsMs: 4, tcpMs: 9, tlsMs: 21, ttfbMs: 1900, downloadMs: 376 };
const opened = new Date('2026-03-10T09:00:00Z');
const now = new Date('2026-03-10T14:00:00Z');
const record = (overrides: Partial<IncidentRecord>): IncidentRecord => ({
  id: 7,
  kind: 'degraded',
  target: 'shop',
  url: 'https://shop.test/',
  openedAt: opened,
  resolvedAt: null,
  reason: 'slow',
  statusCode: null,
  errorCode: null,
  errorMessage: null,
  locations: ['eu-west'],
  firstCheckId: '0190a000-0000-7000-8000-000000000000',
  lastCheckId: '0190a000-0000-7000-8000-000000000001',
  inMaintenance: false,
  escalatedAt: null,
  slow: { responseTimeMs: 2310, limitMs: 1000, rule: 'absolute', phases },
  ...overrides,
});
const shown = (overrides: Partial<IncidentRecord>) => shownIncident(record(overrides), new Map([['shop', 'Shop']]), { showErrors: false }, now);
const words = (html: string) => text(select(parseHtml(`<ul>${html}</ul>`).root, by('li'))[0]!);

describe('shownSlowness', () => {
  it('names the slowest phase as the notifications do', () => {
    expect(shownSlowness({ responseTimeMs: 2310, limitMs: 1000, rule: 'absolute', phases })).toEqual({ responseTimeMs: 2310, limitMs: 1000, rule: 'absolute', phases, slowestPhase: 'first byte' });
    expect(shownSlowness({ responseTimeMs: 2310, limitMs: 1000, rule: 'relative', phases: {}, recentP95Ms: 2400, baselineP95Ms: 500 })).toMatchObject({ slowestPhase: null, recentP95Ms: 2400, baselineP95Ms: 500 });
  });

  it('keeps only the phases the alerts name, with numbers; shows nothing whose figures or rule are not the alerts\' own', () => {
    expect(shownSlowness({ responseTimeMs: 9, limitMs: 5, rule: 'absolute', phases: { dnsMs: '<b>', tcpMs: 3, ['<script>']: 99, __proto__: { ttfbMs: 50 } } })).toEqual({ responseTimeMs: 9, limitMs: 5, rule: 'absolute', phases: { tcpMs: 3 }, slowestPhase: 'connect' });
    for (const junk of [null, 'slow', [], { responseTimeMs: '9', limitMs: 5, rule: 'absolute' }, { responseTimeMs: 9, limitMs: null, rule: 'absolute' }, { responseTimeMs: 9, limitMs: 5, rule: '<b>' }]) {
      expect(shownSlowness(junk)).toBeNull();
    }
  });
});

describe('the words of an incident', () => {
  it('a degraded one: how slow, against which limit, the slowest phase', () => {
    const open = shown({});
    expect([open.kind, open.escalatedAt, open.slow?.slowestPhase]).toEqual(['degraded', null, 'first byte']);
    expect(words(incident(open))).toBe('Shop is slow: 2.31 s, over its limit of 1.00 s; slowest phase: first byte (1.90 s)since 2026-03-10 09:00 UTC (5 h 0 min) · from eu-west');
    const relative = shown({ resolvedAt: new Date('2026-03-10T10:30:00Z'), slow: { responseTimeMs: 2500, limitMs: 1500, rule: 'relative', phases: {}, recentP95Ms: 2400, baselineP95Ms: 500 } });
    expect(words(incident(relative))).toBe('Shop was slow: 2.50 s, over its limit of 1.50 s (relative: its p95 over 7 days was 500 ms)2026-03-10 09:00 UTC, lasted 1 h 30 min · from eu-west');
  });

  it('an escalated one: slow since, down since; a down one keeps no slow check', () => {
    const escalated = shown({ kind: 'down', reason: 'timeout', escalatedAt: new Date('2026-03-10T13:00:00Z') });
    expect(escalated.slow).toBeNull();
    expect(words(incident(escalated))).toBe('Shop is down: timeoutslow since 2026-03-10 09:00 UTC, down since 2026-03-10 13:00 UTC (5 h 0 min) · from eu-west');
    const over = shown({ kind: 'down', reason: 'timeout', escalatedAt: new Date('2026-03-10T13:00:00Z'), resolvedAt: new Date('2026-03-10T13:30:00Z') });
    expect(words(incident(over))).toBe('Shop was down: timeoutslow from 2026-03-10 09:00 UTC, down from 2026-03-10 13:00 UTC, lasted 4 h 30 min · from eu-west');
  });

  it('lists open down incidents and open degraded ones apart', () => {
    const { root } = parseHtml(openIncidents([shown({}), shown({ id: 8, kind: 'down', reason: 'connect' }), shown({ id: 9, resolvedAt: now })]));
    expect(select(root, by('h2')).map(text)).toEqual(['Open incidents', 'Degraded: up but slow']);
    expect(select(root, by('ul')).map((ul) => select(ul, by('li')).map((li) => li.attrs.class))).toEqual([['card incident'], ['card incident degraded']]);
  });
});
