import { describe, expect, it, jest } from '@jest/globals';
import { maxMessageBytes } from '@sitewatch/schema';
import { TransportError } from './errors.js';
import { deadLetterHeaders, deadLetterOf, handlerFailure, integerHeader, sendDeadLetters, shrunk, type DeadLetter, type RawMessage } from './dead-letter.js';

const message: RawMessage = { key: Buffer.from('target-1'), value: Buffer.from('{"v":1,'), headers: { 'trace-id': Buffer.from('abc'), 'sitewatch-schema-version': '1' }, offset: '41' };
const tooLarge = () => new TransportError('ERR_TRANSPORT_TOO_LARGE', 'too large');

describe('deadLetterOf', () => {
  it('keeps the key, bytes and headers, and adds reason, code, source and field', () => {
    const problems = [{ path: '/id', message: 'is required' }];
    const letter = deadLetterOf(message, 'results', 3, { code: 'ERR_SCHEMA_INVALID', message: 'invalid CheckResult:\n  /id: is required', problems });
    expect(letter.key).toBe(message.key);
    expect(letter.value).toBe(message.value);
    expect(letter.headers).toEqual({
      'trace-id': Buffer.from('abc'),
      'sitewatch-schema-version': '1',
      [deadLetterHeaders.reason]: 'invalid CheckResult:\n  /id: is required',
      [deadLetterHeaders.code]: 'ERR_SCHEMA_INVALID',
      [deadLetterHeaders.source]: 'results/3/41',
      [deadLetterHeaders.field]: '/id',
    });
  });

  it('replaces the headers of an earlier dead-lettering, and drops a stale field and truncation mark', () => {
    const replayed = { ...message, headers: { [deadLetterHeaders.code]: 'OLD', [deadLetterHeaders.field]: '/old', [deadLetterHeaders.truncated]: '9000000' } };
    const letter = deadLetterOf(replayed, 'results', 0, { code: 'ERR_SCHEMA_NOT_JSON', message: 'not JSON' });
    expect(letter.headers[deadLetterHeaders.code]).toBe('ERR_SCHEMA_NOT_JSON');
    expect(letter.headers).not.toHaveProperty(deadLetterHeaders.field);
    expect(letter.headers).not.toHaveProperty(deadLetterHeaders.truncated);
  });
});

describe('handlerFailure', () => {
  it("uses the error's own code, or a generic one", () => {
    expect(handlerFailure(Object.assign(new Error('bad row'), { code: 'ERR_SINK_INVALID' }))).toEqual({ code: 'ERR_SINK_INVALID', message: 'bad row' });
    expect(handlerFailure(new TypeError('x is undefined'))).toEqual({ code: 'ERR_TRANSPORT_HANDLER', message: 'x is undefined' });
    expect(handlerFailure(Object.assign(new Error('db'), { code: 23505 }))).toEqual({ code: 'ERR_TRANSPORT_HANDLER', message: 'db' });
    expect(handlerFailure('thrown text')).toEqual({ code: 'ERR_TRANSPORT_HANDLER', message: 'thrown text' });
  });
});

describe('integerHeader', () => {
  it('reads the first value as a decimal integer', () => {
    expect(integerHeader({ v: '2' }, 'v')).toBe(2);
    expect(integerHeader({ v: Buffer.from(' 12 ') }, 'v')).toBe(12);
    expect(integerHeader({ v: ['3', '4'] }, 'v')).toBe(3);
    expect(integerHeader({ v: 'two' }, 'v')).toBeUndefined();
    expect(integerHeader({ v: '-1' }, 'v')).toBeUndefined();
    expect(integerHeader({}, 'v')).toBeUndefined();
  });
});

describe('shrunk', () => {
  it('cuts a large value to maxMessageBytes, then drops it, keeping the original size', () => {
    const letter: DeadLetter = { key: null, value: Buffer.alloc(maxMessageBytes * 3), headers: {} };
    const once = shrunk(letter);
    expect(once.value).toHaveLength(maxMessageBytes);
    expect(once.headers[deadLetterHeaders.truncated]).toBe(String(maxMessageBytes * 3));
    const twice = shrunk(once);
    expect(twice.value).toBeNull();
    expect(twice.headers[deadLetterHeaders.truncated]).toBe(String(maxMessageBytes * 3));
  });
});

describe('sendDeadLetters', () => {
  const letters: DeadLetter[] = [1, 2, 3].map((i) => ({ key: null, value: Buffer.alloc(i * maxMessageBytes), headers: {} }));

  it('sends all in one request', async () => {
    const send = jest.fn(async (_batch: DeadLetter[]) => undefined);
    await sendDeadLetters(send, letters);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0]).toBe(letters);
  });

  it('falls back to one at a time, shrinking the ones the topic refuses', async () => {
    const sent: DeadLetter[] = [];
    const send = jest.fn(async (batch: DeadLetter[]) => {
      if (batch.some((letter) => (letter.value?.length ?? 0) > maxMessageBytes)) throw tooLarge();
      sent.push(...batch);
    });
    await sendDeadLetters(send, letters);
    expect(sent.map((letter) => letter.value?.length)).toEqual([maxMessageBytes, maxMessageBytes, maxMessageBytes]);
    expect(sent.map((letter) => letter.headers[deadLetterHeaders.truncated])).toEqual([undefined, String(2 * maxMessageBytes), String(3 * maxMessageBytes)]);
  });

  it('passes other errors on', async () => {
    const failure = new TransportError('ERR_TRANSPORT_CONNECT', 'down', { retriable: true });
    await expect(sendDeadLetters(async () => Promise.reject(failure), letters)).rejects.toBe(failure);
  });
});
