import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { evaluateTarget, reportingLocations, type Check, type TargetState, type Thresholds, type Transition } from './evaluate.js';
import { toRow, unpaced } from './location-rows.js';

const interval = 60_000;
const t0 = Date.parse('2026-11-27T10:00:00Z');
const empty: TargetState = { locations: [], open: null };

const slowness = { responseTimeMs: 8000, limitMs: 2000, rule: 'absolute', phases: { ttfbMs: 7900 } } as const;

/** Checks of one location from a string of u (up), s (up but slow) and d (down), one interval apart. */
function series(pattern: string, location = 'eu', offset = 0): Check[] {
  return [...pattern].map((c, i) => ({
    id: `${location}-${String(i).padStart(4, '0')}`,
    location,
    at: t0 + offset + i * interval,
    up: c !== 'd',
    ...(c === 'd' ? { failure: { reason: 'timeout', error: { code: 'ETIMEDOUT', message: 'timed out' } } } : {}),
    ...(c === 's' ? { slow: slowness } : {}),
  }));
}

/** Evaluates the checks in batches of the given sizes, carrying the state: what a consumer does. */
function inBatches(thresholds: Thresholds, checks: Check[], sizes: number[]): TargetState & { transitions: Transition[] } {
  let state = empty;
  const transitions: Transition[] = [];
  let from = 0;
  for (const size of [...sizes, checks.length]) {
    const next = evaluateTarget(thresholds, state, checks.slice(from, from + size));
    transitions.push(...next.transitions);
    state = next;
    from += size;
    if (from >= checks.length) break;
  }
  return { ...state, transitions };
}

/** Whether, after check i, some run of `on` × `onRun` ends at or before i with no run of `off` × `offRun` after it. */
function latchedAfter(pattern: string, i: number, on: [string, number], off: [string, number]): boolean {
  let latched = false;
  for (let j = 0; j <= i; j++) {
    const window = ([c, run]: [string, number]) => j + 1 >= run && pattern.slice(j + 1 - run, j + 1) === c.repeat(run);
    if (!latched && window(on)) latched = true;
    else if (latched && window(off)) latched = false;
  }
  return latched;
}

/**
 * The reference, written another way: a location is failing after check i when some run of
 * `failureThreshold` downs ends at or before i with no run of `successThreshold` ups after it.
 */
const failingAfter = (pattern: string, i: number, { failureThreshold: f, successThreshold: s }: Thresholds) => latchedAfter(pattern, i, ['d', f], ['u', s]);

/** Every string of u/d up to `length`. */
function allPatterns(length: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= length; n++) for (let bits = 0; bits < 2 ** n; bits++) out.push(Array.from({ length: n }, (_, i) => ((bits >> i) & 1 ? 'd' : 'u')).join(''));
  return out;
}

describe('one location', () => {
  const thresholdSets: Thresholds[] = [1, 2, 3].flatMap((failureThreshold) => [1, 2, 3].map((successThreshold) => ({ failureThreshold, successThreshold })));

  it('opens and resolves exactly where the thresholds say, for every sequence of up to 10 checks', () => {
    for (const thresholds of thresholdSets) {
      for (const pattern of allPatterns(10)) {
        const checks = series(pattern);
        const { transitions, open } = evaluateTarget(thresholds, empty, checks);
        // Where the verdict changes, by the reference, and what each change must record.
        const expected: string[] = [];
        let down = false;
        [...pattern].forEach((_, i) => {
          const now = failingAfter(pattern, i, thresholds);
          if (now !== down) expected.push(`${now ? 'open' : 'resolve'}@${i}`);
          down = now;
        });
        const got = transitions.map((t) => {
          const at = t.kind === 'resolve' ? checks.findIndex((c) => c.at === t.resolvedAt) + thresholds.successThreshold - 1 : checks.findIndex((c) => c.id === t.incident.lastCheckId);
          return `${t.kind}@${at}`;
        });
        expect({ thresholds, pattern, got }).toEqual({ thresholds, pattern, got: expected });
        expect(open !== null).toBe(down);
      }
    }
  });

  it('records since when: the first down check of the run, the last one, and the first up check of the recovery', () => {
    const checks = series('uuddduddduuu');
    const { transitions } = evaluateTarget({ failureThreshold: 3, successThreshold: 2 }, empty, checks);
    expect(transitions).toEqual([
      {
        kind: 'open',
        at: checks[4]!.at,
        incident: {
          openedAt: checks[2]!.at,
          firstCheckId: checks[2]!.id,
          lastCheckId: checks[4]!.id,
          kind: 'down',
          locations: ['eu'],
          failure: { reason: 'timeout', error: { code: 'ETIMEDOUT', message: 'timed out' } },
        },
      },
      // One up check between failures does not end it; the last failing check is the 9th.
      { kind: 'resolve', at: checks[10]!.at, incident: expect.objectContaining({ openedAt: checks[2]!.at, lastCheckId: checks[8]!.id }), resolvedAt: checks[9]!.at },
    ]);
  });

  it('gives the same result however the checks are cut into batches, and ignores checks it has seen', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ud]{1,40}$/), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 10 }), (pattern, sizes) => {
        const thresholds = { failureThreshold: 3, successThreshold: 2 };
        const checks = series(pattern);
        const whole = evaluateTarget(thresholds, empty, checks);
        expect(inBatches(thresholds, checks, sizes)).toEqual(whole);
        // The whole sequence again (a redelivery): nothing changes.
        expect(evaluateTarget(thresholds, whole, checks)).toEqual({ ...whole, transitions: [] });
      }),
    );
  });

  it('takes a batch in start order, whatever order it arrives in', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ud]{1,30}$/), fc.integer(), (pattern, seed) => {
        const checks = series(pattern);
        const shuffled = [...checks].sort((a, b) => ((a.at * 7919 + seed) % 101) - ((b.at * 7919 + seed) % 101));
        expect(evaluateTarget({ failureThreshold: 2, successThreshold: 2 }, empty, shuffled)).toEqual(evaluateTarget({ failureThreshold: 2, successThreshold: 2 }, empty, checks));
      }),
    );
  });

  it('alternates open and resolve, never two of a kind in a row', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ud]{1,60}$/), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (pattern, failureThreshold, successThreshold) => {
        const { transitions } = evaluateTarget({ failureThreshold, successThreshold }, empty, series(pattern));
        transitions.forEach((t, i) => expect(t.kind).toBe(i % 2 === 0 ? 'open' : 'resolve'));
        for (const t of transitions) if (t.kind === 'resolve') expect(t.resolvedAt).toBeGreaterThanOrEqual(t.incident.openedAt);
      }),
    );
  });
});

/** Checks of several locations, interleaved: each location's pattern, the same interval, offsets a second apart. */
function interleaved(patterns: Record<string, string>): Check[] {
  return Object.entries(patterns).flatMap(([location, pattern], i) => series(pattern, location, i * 1000));
}

describe('several locations', () => {
  it('with quorum 2: one location failing alone opens nothing; both failing open one incident naming both', () => {
    const thresholds = { failureThreshold: 3, successThreshold: 2, quorum: 2 };
    expect(evaluateTarget(thresholds, empty, interleaved({ eu: 'uuddddddd', us: 'uuuuuuuuu' })).transitions).toEqual([]);
    const both = evaluateTarget(thresholds, empty, interleaved({ eu: 'uudddddd', us: 'uuuuddddd' }));
    expect(both.transitions).toEqual([{ kind: 'open', at: expect.any(Number), incident: expect.objectContaining({ locations: ['eu', 'us'], openedAt: t0 + 2 * interval }) }]);
    // One recovers: fewer than 2 are failing, so the target is up again.
    const after = evaluateTarget(thresholds, both, series('uu', 'us', 1000 + 9 * interval));
    expect(after.transitions).toEqual([{ kind: 'resolve', at: expect.any(Number), incident: expect.objectContaining({ locations: ['eu', 'us'] }), resolvedAt: t0 + 1000 + 9 * interval }]);
  });

  it('by default needs a majority of the locations reporting: one of one, two of two, two of three', () => {
    // Two failures needed: every location has reported once before one is failing.
    const thresholds = { failureThreshold: 2, successThreshold: 1 };
    expect(evaluateTarget(thresholds, empty, series('dd')).transitions).toHaveLength(1);
    expect(evaluateTarget(thresholds, empty, interleaved({ a: 'ddd', b: 'uuu' })).transitions).toEqual([]);
    expect(evaluateTarget(thresholds, empty, interleaved({ a: 'ddd', b: 'udd' })).transitions).toHaveLength(1);
    expect(evaluateTarget(thresholds, empty, interleaved({ a: 'ddd', b: 'uuu', c: 'uuu' })).transitions).toEqual([]);
    expect(evaluateTarget(thresholds, empty, interleaved({ a: 'ddd', b: 'uuu', c: 'udd' })).transitions).toEqual([
      { kind: 'open', at: expect.any(Number), incident: expect.objectContaining({ locations: ['a', 'c'] }) },
    ]);
  });

  it('agrees with the reference for every pair of sequences of up to 6 checks, quorum 1 and 2', () => {
    const patterns = allPatterns(6).filter((p) => p.length === 6);
    for (const quorum of [1, 2]) {
      const thresholds = { failureThreshold: 2, successThreshold: 2, quorum };
      for (const a of patterns) {
        for (const b of patterns) {
          const { transitions } = evaluateTarget(thresholds, empty, interleaved({ a, b }));
          // The reference: after each check (a's i-th, then b's i-th), how many are failing.
          const expected: string[] = [];
          let down = false;
          for (const [ai, bi] of [0, 1, 2, 3, 4, 5].flatMap((i) => [[i, i - 1], [i, i]] as const)) {
            const failing = Number(failingAfter(a, ai, thresholds)) + Number(bi >= 0 && failingAfter(b, bi, thresholds));
            if (failing >= quorum !== down) expected.push(down ? 'resolve' : 'open');
            down = failing >= quorum;
          }
          expect({ a, b, quorum, got: transitions.map((t) => t.kind) }).toEqual({ a, b, quorum, got: expected });
        }
      }
    }
  });

  it('stops counting a location that stopped reporting (three of its intervals without a check)', () => {
    const thresholds = { failureThreshold: 1, successThreshold: 1 };
    // a and b report; then only a does, and fails: while b counts, one of two is no majority.
    const early = interleaved({ a: 'uu', b: 'uu' });
    const state = evaluateTarget(thresholds, empty, early);
    const soon = series('d', 'a', 2 * interval);
    expect(evaluateTarget(thresholds, state, soon).transitions).toEqual([]);
    const later = series('d', 'a', 2 * interval + 3 * interval + 1000);
    expect(reportingLocations(evaluateTarget(thresholds, state, later).locations, later[0]!.at).map((l) => l.location)).toEqual(['a']);
    expect(evaluateTarget(thresholds, state, later).transitions).toEqual([{ kind: 'open', at: later[0]!.at, incident: expect.objectContaining({ locations: ['a'] }) }]);
  });

  it('adds locations that start failing while an incident is open, and moves its last failing check', () => {
    const thresholds = { failureThreshold: 1, successThreshold: 1, quorum: 1 };
    const first = evaluateTarget(thresholds, empty, interleaved({ a: 'd', b: 'u' }));
    const next = evaluateTarget(thresholds, first, series('d', 'b', 1000 + interval));
    expect(next.open).toMatchObject({ locations: ['a', 'b'], lastCheckId: 'b-0000', firstCheckId: 'a-0000' });
  });
});

/** Every string of u, s and d of exactly `length`. */
function allPaces(length: number): string[] {
  return Array.from({ length: 3 ** length }, (_, n) => Array.from({ length }, (_, i) => 'usd'[Math.floor(n / 3 ** i) % 3]).join(''));
}

/** The reference of degraded: after check i, some run of `slowThreshold` s ends at or before i with no run of `successThreshold` u (fast) after it. */
const degradedAfter = (pattern: string, i: number, { slowThreshold: k = 3, successThreshold: s }: Thresholds) => latchedAfter(pattern, i, ['s', k], ['u', s]);

/** The failing reference over u/s/d: slow checks are up. */
const failingOver = (pattern: string, i: number, thresholds: Thresholds) => failingAfter(pattern.replaceAll('s', 'u'), i, thresholds);

describe('degraded: up but slow', () => {
  const thresholdSets: Thresholds[] = [1, 2].flatMap((failureThreshold) => [1, 2].flatMap((successThreshold) => [1, 2, 3].map((slowThreshold) => ({ failureThreshold, successThreshold, slowThreshold }))));

  it('opens, escalates and resolves exactly where the thresholds say, for every sequence of up to 6 checks of u, s and d', () => {
    for (const thresholds of thresholdSets) {
      for (const pattern of [1, 2, 3, 4, 5, 6].flatMap(allPaces)) {
        const { transitions, open } = evaluateTarget(thresholds, empty, series(pattern));
        const expected: string[] = [];
        let was: 'down' | 'degraded' | 'up' = 'up';
        [...pattern].forEach((_, i) => {
          const now = failingOver(pattern, i, thresholds) ? 'down' : degradedAfter(pattern, i, thresholds) ? 'degraded' : 'up';
          if (was === 'up' && now !== 'up') expected.push(`open ${now}`);
          else if (was === 'degraded' && now === 'down') expected.push('escalate down');
          else if (was === 'down' && now === 'degraded') expected.push('resolve down', 'open degraded');
          else if (was !== 'up' && now === 'up') expected.push(`resolve ${was}`);
          was = now;
        });
        const got = transitions.map((t) => `${t.kind} ${t.incident.kind}`);
        expect({ thresholds, pattern, got }).toEqual({ thresholds, pattern, got: expected });
        expect(open?.kind ?? 'up').toBe(was);
      }
    }
  });

  it('records the first slow check, the latest one with what it measured, and the first fast check of the recovery', () => {
    const checks = series('ussssuuu');
    const { transitions } = evaluateTarget({ failureThreshold: 3, successThreshold: 2, slowThreshold: 3 }, empty, checks);
    expect(transitions).toEqual([
      { kind: 'open', at: checks[3]!.at, incident: { kind: 'degraded', openedAt: checks[1]!.at, firstCheckId: checks[1]!.id, lastCheckId: checks[3]!.id, locations: ['eu'], slow: slowness } },
      { kind: 'resolve', at: checks[6]!.at, incident: expect.objectContaining({ kind: 'degraded', lastCheckId: checks[4]!.id }), resolvedAt: checks[5]!.at },
    ]);
  });

  it('escalates a degraded incident that goes down: the same incident, now down, since the first slow check', () => {
    const checks = series('sssddduu');
    const { transitions } = evaluateTarget({ failureThreshold: 3, successThreshold: 2, slowThreshold: 3 }, empty, checks);
    expect(transitions).toEqual([
      { kind: 'open', at: checks[2]!.at, incident: expect.objectContaining({ kind: 'degraded', openedAt: checks[0]!.at }) },
      {
        kind: 'escalate',
        at: checks[5]!.at,
        incident: { kind: 'down', openedAt: checks[0]!.at, firstCheckId: checks[0]!.id, lastCheckId: checks[5]!.id, locations: ['eu'], failure: expect.objectContaining({ reason: 'timeout' }), escalatedAt: checks[5]!.at },
      },
      { kind: 'resolve', at: checks[7]!.at, incident: expect.objectContaining({ kind: 'down' }), resolvedAt: checks[6]!.at },
    ]);
  });

  it('resolves a down incident that ends slow, and opens a degraded one from its first up check', () => {
    const checks = series('dddsssuu');
    const { transitions } = evaluateTarget({ failureThreshold: 3, successThreshold: 2, slowThreshold: 3 }, empty, checks);
    expect(transitions.map((t) => `${t.kind} ${t.incident.kind}`)).toEqual(['open down', 'resolve down', 'open degraded', 'resolve degraded']);
    const [, resolved, degraded] = transitions;
    expect(resolved).toMatchObject({ at: checks[4]!.at, resolvedAt: checks[3]!.at });
    // Degraded from the end of the outage (the slow run began with it), not before.
    expect(degraded!.incident).toMatchObject({ openedAt: checks[3]!.at, firstCheckId: checks[3]!.id });
  });

  it('ignores a late slow check, and a redelivery, whatever the batches', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[usd]{1,40}$/), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 10 }), (pattern, sizes) => {
        const thresholds = { failureThreshold: 2, successThreshold: 2, slowThreshold: 2 };
        const checks = series(pattern);
        const whole = evaluateTarget(thresholds, empty, checks);
        expect(inBatches(thresholds, checks, sizes)).toEqual(whole);
        expect(evaluateTarget(thresholds, whole, checks)).toEqual({ ...whole, transitions: [] });
        // A slow check older than the location's last one changes nothing.
        const late = { ...checks[0]!, id: 'late', at: checks.at(-1)!.at - 1, slow: slowness, up: true };
        if (checks.length > 1) expect(evaluateTarget(thresholds, whole, [late])).toEqual({ ...whole, transitions: [] });
      }),
    );
  });

  it('needs the quorum: one slow location of two is nothing, both slow open one degraded incident; a failing one counts as impaired', () => {
    const thresholds = { failureThreshold: 2, successThreshold: 2, slowThreshold: 2 };
    expect(evaluateTarget(thresholds, empty, interleaved({ eu: 'usssss', us: 'uuuuuu' })).transitions).toEqual([]);
    const both = evaluateTarget(thresholds, empty, interleaved({ eu: 'usssss', us: 'uuusss' }));
    expect(both.transitions).toEqual([{ kind: 'open', at: expect.any(Number), incident: expect.objectContaining({ kind: 'degraded', locations: ['eu', 'us'] }) }]);
    // One slow, one failing: degraded (impaired by two), not down (failing by one).
    const mixed = evaluateTarget(thresholds, empty, interleaved({ eu: 'usssss', us: 'uuuddd' }));
    expect(mixed.transitions.map((t) => `${t.kind} ${t.incident.kind}`)).toEqual(['open degraded']);
    expect(mixed.open).toMatchObject({ kind: 'degraded', locations: ['eu', 'us'] });
  });

  it('a location that stops reporting stops counting towards degraded too', () => {
    const thresholds = { failureThreshold: 1, successThreshold: 1, slowThreshold: 1 };
    const state = evaluateTarget(thresholds, empty, interleaved({ a: 'uu', b: 'uu' }));
    expect(evaluateTarget(thresholds, state, series('s', 'a', 2 * interval)).transitions).toEqual([]);
    const later = series('s', 'a', 5 * interval + 1000);
    expect(evaluateTarget(thresholds, state, later).transitions).toEqual([{ kind: 'open', at: later[0]!.at, incident: expect.objectContaining({ kind: 'degraded', locations: ['a'] }) }]);
  });
});

describe('without a slow rule', () => {
  it('counts no slow or fast runs and degrades nothing, whatever the checks say', () => {
    const thresholds = { failureThreshold: 2, successThreshold: 2, slowThreshold: 1, paced: false };
    const { transitions, locations } = evaluateTarget(thresholds, empty, series('usssu'));
    expect(transitions).toEqual([]);
    expect(locations[0]).toMatchObject({ degraded: false, slows: 0, fasts: 0, paceSince: null });
    // Its row is written without the degraded columns: they keep their defaults.
    expect(unpaced(locations[0])).toBe(true);
    expect(Object.keys(toRow('t', locations[0]!, false))).not.toContain('degraded');
  });

  it('leaves the unpaced write once a location has a degraded state, also to clear it when the rule goes', () => {
    const paced = { failureThreshold: 2, successThreshold: 2, slowThreshold: 2 };
    const slowed = evaluateTarget(paced, empty, series('ss')).locations[0]!;
    expect(slowed.degraded).toBe(true);
    expect(unpaced(slowed)).toBe(false);
    const cleared = evaluateTarget({ ...paced, paced: false }, { locations: [slowed], open: null }, series('u', 'eu', 2 * interval)).locations[0]!;
    expect(unpaced(cleared)).toBe(true);
    expect(toRow('t', cleared)).toMatchObject({ degraded: false, slows: 0, fasts: 0, pace_since: null, degraded_since: null, last_slow: null });
  });
});
