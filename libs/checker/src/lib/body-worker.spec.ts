import { describe, expect, it } from '@jest/globals';
import { paddedJson } from '../../../../tools/testing/json-api.js';
import { randomText } from '../../test/sites.js';
import { bodyWorkersStarted, examineBody, inlineJsonBytes } from './body-worker.js';
import { compileTarget, targetChecks } from './target.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** RE2 needs about a second per MiB for this pattern on random text (`randomText`). */
const slowPattern = '(?s)([a-z][^u-z]{100}|[b-z][^u-z]{100})x';

describe('examineBody', () => {
  it('answers each pattern on the body decoded as UTF-8', async () => {
    await expect(examineBody({ patterns: { mustMatch: '(?i)CAFÉ', mustNotMatch: 'tea' } }, encode('un café, merci'), 2000)).resolves.toEqual({
      matches: { mustMatch: true, mustNotMatch: false },
    });
  });

  it('answers only the patterns given', async () => {
    await expect(examineBody({ patterns: { mustNotMatch: '^$' } }, encode(''), 2000)).resolves.toEqual({ matches: { mustNotMatch: true } });
  });

  it('transfers the body instead of copying it', async () => {
    const body = encode('abc');
    await examineBody({ patterns: { mustMatch: 'b' } }, body, 2000);
    expect(body.byteLength).toBe(0);
  });

  it('answers jobs in the order they came', async () => {
    const answers = await Promise.all(['a', 'b', 'c'].map((letter) => examineBody({ patterns: { mustMatch: letter } }, encode('xbx'), 2000)));
    expect(answers).toEqual([{ mustMatch: false }, { mustMatch: true }, { mustMatch: false }].map((matches) => ({ matches })));
  });

  it('times out a slow match, replaces the worker and goes on with the queue', async () => {
    const slow = examineBody({ patterns: { mustMatch: slowPattern } }, randomText(1024 * 1024), 100);
    const next = examineBody({ patterns: { mustMatch: 'x' } }, encode('xyz'), 5000);
    const workers = bodyWorkersStarted();
    await expect(slow).resolves.toBe('timeout');
    await expect(next).resolves.toEqual({ matches: { mustMatch: true } });
    // Replaced: the match was still running past its deadline and the grace after it, so the
    // 'timeout' came at the deadline, not when the match would have ended (no clock needed).
    expect(bodyWorkersStarted()).toBe(workers + 1);
    // Past jest's 5 s: a new worker (re2js loaded again) after a 1 MiB match, on a loaded machine.
  }, 30_000);

  it('keeps the worker of a match that ends soon after its deadline, rather than start a new one', async () => {
    await expect(examineBody({ patterns: { mustMatch: 'x' } }, encode('x'), 2000)).resolves.toEqual({ matches: { mustMatch: true } });
    const started = bodyWorkersStarted();
    // A 1 ms deadline passes while this thread is kept busy, and the worker answers meanwhile.
    // Started from a setImmediate callback, the deadline's timer then runs before the answer
    // is read (timers come first in the event loop's next turn): late, but within the grace,
    // on a machine however loaded.
    const late = await new Promise<Awaited<ReturnType<typeof examineBody>>>((resolve) =>
      setImmediate(() => {
        const job = examineBody({ patterns: { mustMatch: 'b' } }, encode('abc'), 1);
        for (const until = performance.now() + 50; performance.now() < until; );
        resolve(job);
      }),
    );
    expect(late).toBe('timeout');
    // An absence cannot be awaited: let the grace (100 ms) pass, then the worker is still the one.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(examineBody({ patterns: { mustMatch: 'x' } }, encode('x'), 2000)).resolves.toEqual({ matches: { mustMatch: true } });
    expect(bodyWorkersStarted()).toBe(started);
  });

  it('times out a job that waits too long behind a slow one, without stopping the slow one', async () => {
    const settled: string[] = [];
    const slow = examineBody({ patterns: { mustMatch: slowPattern } }, randomText(512 * 1024), 10_000).finally(() => settled.push('slow'));
    const waiting = examineBody({ patterns: { mustMatch: 'x' } }, encode('x'), 50).finally(() => settled.push('waiting'));
    await expect(waiting).resolves.toBe('timeout');
    await expect(slow).resolves.toEqual({ matches: { mustMatch: false } });
    // The waiting job was answered at its deadline, not once the slow match let it run.
    expect(settled).toEqual(['waiting', 'slow']);
    // Longer than the slow job's own 10 s deadline, which a loaded machine may need.
  }, 30_000);

  it('rejects a pattern that does not compile (a bug: targets are validated first)', async () => {
    await expect(examineBody({ patterns: { mustMatch: '(' } }, encode('x'), 2000)).rejects.toThrow(/missing closing \)/);
    await expect(examineBody({ patterns: { mustMatch: 'x' } }, encode('x'), 2000)).resolves.toEqual({ matches: { mustMatch: true } });
  });

  describe('with JSON conditions', () => {
    const json = targetChecks(compileTarget({ id: 'api', url: 'http://api.test/', json: [{ pointer: '/status', equals: 'DOWN' }, { pointer: '/pad', matches: '^x+$' }] })).json!;
    const failed = { code: 'ASSERTION_FAILED', message: 'json /status equals "DOWN": found "UP"' };

    it('judges a small body without regexes on this thread: its buffer stays', async () => {
      const body = new Uint8Array(paddedJson(inlineJsonBytes));
      await expect(examineBody({ patterns: {}, json }, body, 2000)).resolves.toEqual({ matches: {}, json: failed });
      expect(body.byteLength).toBe(inlineJsonBytes);
    });

    it('judges a larger body, or one with regexes, in the worker, with the same answers', async () => {
      const large = new Uint8Array(paddedJson(inlineJsonBytes + 1));
      await expect(examineBody({ patterns: {}, json }, large, 5000)).resolves.toEqual({ matches: {}, json: failed });
      expect(large.byteLength).toBe(0);
      const small = new Uint8Array(paddedJson(100));
      await expect(examineBody({ patterns: { mustMatch: 'UP' }, json }, small, 5000)).resolves.toEqual({ matches: { mustMatch: true }, json: failed });
      expect(small.byteLength).toBe(0);
      const notJson = encode(`<html>${'x'.repeat(inlineJsonBytes)}</html>`);
      await expect(examineBody({ patterns: {}, json }, notJson, 5000)).resolves.toEqual({
        matches: {},
        json: { code: 'INVALID_JSON', message: 'body is not JSON: an unexpected character at position 0 (line 1, column 1)' },
      });
    });

    it('answers a parse that outlasts its deadline with a timeout', async () => {
      // 16 MiB: about 200 ms of parsing (measured), far past a 1 ms deadline.
      await expect(examineBody({ patterns: {}, json }, new Uint8Array(paddedJson(16 * 1024 * 1024)), 1)).resolves.toBe('timeout');
      await expect(examineBody({ patterns: { mustMatch: 'x' } }, encode('x'), 5000)).resolves.toEqual({ matches: { mustMatch: true } });
    }, 30_000);
  });
});
