// From the options to what applies to one target: its rule (the first override whose globs
// match its id, over the defaults) and whether a moment lies in one of its maintenance
// windows (and until when).
import { weekDays, type MaintenanceWindow, type ResolvedAlertsOptions } from './options.js';
import { instantAt, wallClock } from './zoned-time.js';

/** The settings that apply to a target. */
export interface Rule {
  failureThreshold: number;
  successThreshold: number;
  slowThreshold: number;
  /** Whether a slow rule is set (slowMs or slowFactor): without, nothing is slow. */
  paced: boolean;
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

/**
 * The end (ms) of the occurrence of `window` that holds `at`, or undefined. A weekly window
 * starts on each of its days at the instant its zone's clock shows `at` (a time the clock
 * skips: moved forward by the gap; a time it shows twice: the first) and lasts `durationMs`
 * of elapsed time, whatever the clock does meanwhile.
 */
export function windowEnd(window: MaintenanceWindow, at: number): number | undefined {
  if (window.start !== undefined && window.end !== undefined) {
    const start = Date.parse(window.start);
    const end = Date.parse(window.end);
    return at >= start && at < end ? end : undefined;
  }
  const [hours, minutes] = window.at!.split(':').map(Number) as [number, number];
  const zone = window.timeZone ?? 'UTC';
  const today = Math.floor(wallClock(at, zone) / dayMs) * dayMs;
  // Started today, or up to two days ago (a day long, across a day of 23 hours).
  for (const daysAgo of [0, 1, 2]) {
    const day = today - daysAgo * dayMs;
    if (!window.every!.includes(weekDays[(new Date(day).getUTCDay() + 6) % 7]!)) continue;
    const start = instantAt(day + (hours * 60 + minutes) * 60_000, zone);
    if (at >= start && at < start + window.durationMs!) return start + window.durationMs!;
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
        paced: merged.slowMs !== undefined || merged.slowFactor !== undefined,
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
