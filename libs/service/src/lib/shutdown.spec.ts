import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { noopLogger } from '@sitewatch/schema';
import { exitCodes, handleShutdown } from './shutdown.js';

function fakeProcess() {
  const proc = Object.assign(new EventEmitter(), { exit: jest.fn<(code: number) => void>() });
  return proc;
}

afterEach(() => {
  jest.useRealTimers();
});

describe('handleShutdown', () => {
  it('stops once on the first signal and exits 0', async () => {
    const proc = fakeProcess();
    const stop = jest.fn(async (_reason: string) => undefined);
    const shutdown = handleShutdown({ stop, logger: noopLogger, process: proc });
    proc.emit('SIGTERM');
    await shutdown.begin('again');
    expect(stop).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledWith('SIGTERM');
    expect(proc.exit).toHaveBeenCalledWith(exitCodes.ok);
  });

  it('forces exit 3 on a second signal while stopping, but not on a relayed copy of the first', () => {
    jest.useFakeTimers();
    const proc = fakeProcess();
    handleShutdown({ stop: () => new Promise(() => undefined), logger: noopLogger, process: proc, repeatWindowMs: 1000 });
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    jest.advanceTimersByTime(999);
    proc.emit('SIGTERM');
    expect(proc.exit).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    proc.emit('SIGINT');
    expect(proc.exit).toHaveBeenCalledWith(exitCodes.forced);
  });

  it('forces exit 3 when stopping outlasts the deadline', () => {
    jest.useFakeTimers();
    const proc = fakeProcess();
    handleShutdown({ stop: () => new Promise(() => undefined), logger: noopLogger, process: proc, deadlineMs: 1000 });
    proc.emit('SIGTERM');
    jest.advanceTimersByTime(999);
    expect(proc.exit).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(proc.exit).toHaveBeenCalledWith(exitCodes.forced);
  });

  it('exits 1 when stopping fails, and with the given code otherwise', async () => {
    const failing = fakeProcess();
    await handleShutdown({ stop: async () => Promise.reject(new Error('boom')), logger: noopLogger, process: failing }).begin('SIGTERM');
    expect(failing.exit).toHaveBeenCalledWith(exitCodes.failure);
    const fatal = fakeProcess();
    await handleShutdown({ stop: async () => undefined, logger: noopLogger, process: fatal }).begin('fatal error', exitCodes.failure);
    expect(fatal.exit).toHaveBeenCalledWith(exitCodes.failure);
  });

  it("exits only once the logger has written what it holds (pino's flush)", async () => {
    const proc = fakeProcess();
    const events: string[] = [];
    const logger = { ...noopLogger, info: () => void events.push('logged'), flush: (done: () => void) => setImmediate(() => (events.push('flushed'), done())) };
    proc.exit.mockImplementation(() => void events.push('exit'));
    await handleShutdown({ stop: async () => undefined, logger, process: proc }).begin('test');
    expect(events).toEqual(['logged', 'logged', 'flushed', 'exit']);
  });
});
