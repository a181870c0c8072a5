import { describe, expect, it, jest } from '@jest/globals';
import { noopLogger, type Logger } from '@sitewatch/schema';
import { createCapacityWatch, type CapacitySources } from './capacity.js';

/** A process whose clock, CPU and completed checks the test moves by hand. */
function fakeProcess(scheduledPerSecond: number) {
  const state = { now: 0, cpuMicros: 0, checks: 0 };
  const sources: CapacitySources = {
    now: () => state.now,
    cpuMicros: () => state.cpuMicros,
    checksCompleted: () => state.checks,
    scheduledPerSecond: () => scheduledPerSecond,
  };
  /** `seconds` go by, the checks the schedule asks for complete, each taking `cpuMicrosPerCheck`. */
  const run = (seconds: number, cpuMicrosPerCheck: number) => {
    const checks = scheduledPerSecond * seconds;
    state.now += seconds * 1000;
    state.checks += checks;
    state.cpuMicros += checks * cpuMicrosPerCheck;
  };
  return { sources, run, state };
}

function watchOf(proc: ReturnType<typeof fakeProcess>) {
  const warn = jest.fn();
  const logger: Logger = { ...noopLogger, warn, child: () => logger };
  return { warn, watch: createCapacityWatch({ sources: proc.sources, logger }) };
}

describe('createCapacityWatch', () => {
  it('warns with the figures and what to do when checks per second × CPU per check exceed a core', () => {
    const proc = fakeProcess(1000);
    const { watch, warn } = watchOf(proc);
    proc.run(30, 2100); // an HTTPS check's CPU at 1,000 checks a second: 2.1 cores
    expect(watch.sample()).toMatchObject({ scheduledPerSecond: 1000, cpuMicrosPerCheck: 2100, neededCores: 2.1, behind: true });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      { checksPerSecond: 1000, cpuMicrosPerCheck: 2100, neededCores: 2.1, latenessP50Ms: 0, latenessP99Ms: 0, advice: expect.stringMatching(/more checker processes.*lengthen their intervals/) },
      'checker cannot keep up with its schedule',
    );
  });

  it('stays quiet while the schedule fits in the CPU', () => {
    const proc = fakeProcess(1000);
    const { watch, warn } = watchOf(proc);
    proc.run(30, 500);
    expect(watch.sample()).toMatchObject({ neededCores: 0.5, behind: false });
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns at most once per ten minutes while behind', () => {
    const proc = fakeProcess(1000);
    const { watch, warn } = watchOf(proc);
    for (let window = 0; window < 20; window++) {
      proc.run(30, 1500);
      watch.sample();
    }
    // Ten minutes in 30-second windows: warned in the first, and again in the 21st.
    expect(warn).toHaveBeenCalledTimes(1);
    proc.run(30, 1500);
    watch.sample();
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('warns when checks start later and later, even with CPU to spare', () => {
    const proc = fakeProcess(100);
    const { watch, warn } = watchOf(proc);
    for (const lateMs of [1500, 1600, 1700]) watch.observeLateness(lateMs);
    proc.run(30, 100);
    expect(watch.sample()).toMatchObject({ latenessP50Ms: 1600, behind: true });
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ latenessP50Ms: 1600, latenessP99Ms: 1700, neededCores: 0.01, advice: expect.stringMatching(/CPU is not the limit.*raise it/) }),
      'checker cannot keep up with its schedule',
    );
  });

  it('does not call a lateness that is shrinking, or small, behind', () => {
    const proc = fakeProcess(100);
    const { watch } = watchOf(proc);
    watch.observeLateness(3000);
    proc.run(30, 100);
    expect(watch.sample().behind).toBe(true);
    watch.observeLateness(2000);
    proc.run(30, 100);
    expect(watch.sample().behind).toBe(false);
    watch.observeLateness(5);
    proc.run(30, 100);
    expect(watch.sample()).toMatchObject({ latenessP50Ms: 5, behind: false });
  });

  it('keeps the last CPU per check through a window in which no check completed', () => {
    const proc = fakeProcess(1000);
    const { watch } = watchOf(proc);
    proc.run(30, 700);
    watch.sample();
    proc.state.now += 30_000;
    expect(watch.sample()).toMatchObject({ cpuMicrosPerCheck: 700, neededCores: 0.7 });
  });
});
