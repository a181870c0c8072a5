// From the options to what applies to one target: its rule (the first override whose globs
// match its id, over the defaults) and whether a moment lies in one of its maintenance
// windows (and until when).
import { weekDays, type MaintenanceWindow, type ResolvedAlertsOptions } from './options.js';

/** The settings that apply to a target. */
export interface Rule {
  failureThreshold: number;
  successThreshold: number;
  slowThreshold: number;
  /** Absent: no absolute slow rule. */
  slowMs?: number;
  /** Absent: no relative slow rule. */
  slowFactor?: number;
  /** Certificate notices: the thresholds, none when off. */
  certificateWarnDays: readonly number[];
  /** Absent: a majority of the locations reporting. */
  quorum?: number;
  /** Absent: no reminders. */
  remindEveryMs?: number;
  /** Names of the channels notified. */
  channels: readonly string[];
}

/** The rules of a set of options. */
export interface Rules {
  /** The rule of a target (cached per target id). */
  ruleFor(target: string): Rule;
  /** When `at` (ms) lies in a maintenance window of the target: the end of that window (of the last one overlapping it), ms; else undefined. */
  maintenanceEnd(target: string, at: number): number | undefined;
}

/** A glob (`*` any run of characters, `/` included; `?` one character) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

/** Whether any of the globs matches `target` (no globs: every target). */
function matcher(globs: readonly string[] | undefined): (target: string) => boolean {
  if (globs === undefined) return () => true;
  const patterns = globs.map(globToRegExp);
  return (target) => patterns.some((pattern) => pattern.test(target));
}

const dayMs = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day of the week (0 = Monday) and time of day (ms) of `at` in a time zone. */
export function localTime(at: number, timeZone: string): { day: number; msOfDay: number } {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  const day = weekDays.indexOf(String(parts.weekday).toLowerCase().slice(0, 3) as (typeof weekDays)[number]);
  const msOfDay = (Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 + (at % 1000);
  return { day, msOfDay };
}

/** The end (ms) of the occurrence of `window` that holds `at`, or undefined. */
export function windowEnd(window: MaintenanceWindow, at: number): number | undefined {
  if (window.start !== undefined && window.end !== undefined) {
    const start = Date.parse(window.start);
    const end = Date.parse(window.end);
    return at >= start && at < end ? end : undefined;
  }
  const [hours, minutes] = window.at!.split(':').map(Number) as [number, number];
  const startMs = (hours * 60 + minutes) * 60_000;
  const { day, msOfDay } = localTime(at, window.timeZone ?? 'UTC');
  // Started today, or yesterday and running past midnight. The length is elapsed time
  // (a window across a daylight-saving change ends an hour earlier or later on the clock).
  for (const daysAgo of [0, 1]) {
    const startDay = weekDays[(day - daysAgo + 7) % 7]!;
    const elapsed = msOfDay + daysAgo * dayMs - startMs;
    if (window.every!.includes(startDay) && elapsed >= 0 && elapsed < window.durationMs!) return at + window.durationMs! - elapsed;
  }
  return undefined;
}

/** The rules of validated options. */
export function createRules(options: Pick<ResolvedAlertsOptions, 'defaults' | 'rules' | 'maintenance' | 'channels' | 'certificates'>): Rules {
  const allChannels = Object.keys(options.channels);
  const overrides = options.rules.map((rule) => ({ matches: matcher(rule.targets), rule }));
  const windows = options.maintenance.map((window) => ({ matches: matcher(window.targets), window }));
  const cache = new Map<string, Rule>();

  function ruleFor(target: string): Rule {
    let rule = cache.get(target);
    if (rule === undefined) {
      const { targets: _globs, certificates, ...override } = overrides.find((o) => o.matches(target))?.rule ?? { targets: [] };
      const merged = { ...options.defaults, ...override };
      const certificateSettings = { ...options.certificates, ...certificates };
      rule = {
        failureThreshold: merged.failureThreshold,
        successThreshold: merged.successThreshold,
        slowThreshold: merged.slowThreshold,
        channels: merged.channels ?? allChannels,
        certificateWarnDays: certificateSettings.enabled ? certificateSettings.warnDays : [],
        ...(merged.quorum === undefined ? {} : { quorum: merged.quorum }),
        ...(merged.remindEveryMs === undefined ? {} : { remindEveryMs: merged.remindEveryMs }),
        ...(merged.slowMs === undefined ? {} : { slowMs: merged.slowMs }),
        ...(merged.slowFactor === undefined ? {} : { slowFactor: merged.slowFactor }),
      };
      if (cache.size > 100_000) cache.clear();
      cache.set(target, rule);
    }
    return rule;
  }

  function maintenanceEnd(target: string, at: number): number | undefined {
    const own = windows.filter((w) => w.matches(target)).map((w) => w.window);
    let end: number | undefined;
    // Windows that overlap or touch make one: follow them to the last end.
    for (let moment = at, round = 0; round <= own.length; round++) {
      const ends = own.map((window) => windowEnd(window, moment)).filter((e): e is number => e !== undefined);
      if (ends.length === 0) break;
      end = Math.max(...ends);
      moment = end;
    }
    return end;
  }

  return { ruleFor, maintenanceEnd };
}
