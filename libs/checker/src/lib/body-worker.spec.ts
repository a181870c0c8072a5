import { describe, expect, it } from '@jest/globals';
import { randomText } from '../../test/sites.js';
import { matchPatterns, regexWorkersStarted } from './regex.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** RE2 needs about a second per MiB for this pattern on random text (`randomText`). */
const slowPattern = '(?s)([a-z][^u-z]{100}|[b-z][^u-z]{100})x';

describe('matchPatterns', () => {
  it('answers each pattern on the body decoded as UTF-8', async () => {
    await expect(matchPatterns({ mustMatch: '(?i)CAFÉ', mustNotMatch: 'tea' }, encode('un café, merci'), 2000)).resolves.toEqual({
      mustMatch: true,
      mustNotMatch: false,
    });
  });

  it('answers only the patterns given', async () => {
    await expect(matchPatterns({ mustNotMatch: '^$' }, encode(''), 2000)).resolves.toEqual({ mustNotMatch: true });
  });

  it('transfers the body instead of copying it', async () => {
    const body = encode('abc');
    await matchPatterns({ mustMatch: 'b' }, body, 2000);
    expect(body.byteLength).toBe(0);
  });

  it('answers jobs in the order they came', async () => {
    const answers = await Promise.all(['a', 'b', 'c'].map((letter) => matchPatterns({ mustMatch: letter }, encode('xbx'), 2000)));
    expect(answers).toEqual([{ mustMatch: false }, { mustMatch: true }, { mustMatch: false }]);
  });

  it('times out a slow match, replaces the worker and goes on with the queue', async () => {
    const slow = matchPatterns({ mustMatch: slowPattern }, randomText(1024 * 1024), 100);
    const next = matchPatterns({ mustMatch: 'x' }, encode('xyz'), 5000);
    const workers = regexWorkersStarted();
    await expect(slow).resolves.toBe('timeout');
    await expect(next).resolves.toEqual({ mustMatch: true });
    // Replaced: the match was still running past its deadline and the grace after it, so the
    // 'timeout' came at the deadline, not when the match would have ended (no clock needed).
    expect(regexWorkersStarted()).toBe(workers + 1);
    // Past jest's 5 s: a new worker (re2js loaded again) after a 1 MiB match, on a loaded machine.
  }, 30_000);

  it('keeps the worker of a match that ends soon after its deadline, rather than start a new one', async () => {
    await expect(matchPatterns({ mustMatch: 'x' }, encode('x'), 2000)).resolves.toEqual({ mustMatch: true });
    const started = regexWorkersStarted();
    // A 1 ms deadline passes while this thread is kept busy, and the worker answers meanwhile.
    // Started from a setImmediate callback, the deadline's timer then runs before the answer
    // is read (timers come first in the event loop's next turn): late, but within the grace,
    // on a machine however loaded.
    const late = await new Promise<Awaited<ReturnType<typeof matchPatterns>>>((resolve) =>
      setImmediate(() => {
        const job = matchPatterns({ mustMatch: 'b' }, encode('abc'), 1);
        for (const until = performance.now() + 50; performance.now() < until; );
        resolve(job);
      }),
    );
    expect(late).toBe('timeout');
    // An absence cannot be awaited: let the grace (100 ms) pass, then the worker is still the one.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(matchPatterns({ mustMatch: 'x' }, encode('x'), 2000)).resolves.toEqual({ mustMatch: true });
    expect(regexWorkersStarted()).toBe(started);
  });

  it('times out a job that waits too long behind a slow one, without stopping the slow one', async () => {
    const settled: string[] = [];
    const slow = matchPatterns({ mustMatch: slowPattern }, randomText(512 * 1024), 10_000).finally(() => settled.push('slow'));
    const waiting = matchPatterns({ mustMatch: 'x' }, encode('x'), 50).finally(() => settled.push('waiting'));
    await expect(waiting).resolves.toBe('timeout');
    await expect(slow).resolves.toEqual({ mustMatch: false });
    // The waiting job was answered at its deadline, not once the slow match let it run.
    expect(settled).toEqual(['waiting', 'slow']);
    // Longer than the slow job's own 10 s deadline, which a loaded machine may need.
  }, 30_000);

  it('rejects a pattern that does not compile (a bug: targets are validated first)', async () => {
    await expect(matchPatterns({ mustMatch: '(' }, encode('x'), 2000)).rejects.toThrow(/missing closing \)/);
    await expect(matchPatterns({ mustMatch: 'x' }, encode('x'), 2000)).resolves.toEqual({ mustMatch: true });
  });
});
