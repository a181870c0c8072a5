import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger, scrubber } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name, fields first', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'producer', destination }).info({ targetId: 'a', durationMs: 12 }, 'check completed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'producer', level: 30, targetId: 'a', durationMs: 12, msg: 'check completed' });
  });

  it('never writes a secret, in messages, fields or errors', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'consumer', destination, secrets: ['hunter22', 's3cr3t-key'] });
    log.warn({ url: 'postgres://u:hunter22@db/x', nested: { key: 's3cr3t-key' } }, 'connect failed for hunter22');
    log.error({ err: new Error('password authentication failed: hunter22') }, 'write failed');
    const output = lines.join('');
    expect(output).not.toContain('hunter22');
    expect(output).not.toContain('s3cr3t-key');
    expect(output).toContain('postgres://u:***@db/x');
    expect((JSON.parse(lines[1]!) as { err: unknown }).err).toMatchObject({ type: 'Error', message: 'password authentication failed: ***' });
  });
});

describe('scrubber', () => {
  it('replaces longer secrets first so overlapping ones leave no fragment', () => {
    expect(scrubber(['abcd', 'abcdefgh'])('x abcdefgh y abcd')).toBe('x *** y ***');
  });
});
