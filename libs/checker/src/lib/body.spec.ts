import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { joinBody, newBodyProgress, readCappedBody } from './body.js';

const chunks = (...texts: string[]) => Readable.from(texts.map((text) => Buffer.from(text)));

describe('readCappedBody', () => {
  it('reads a body under the cap whole', async () => {
    const progress = newBodyProgress();
    await readCappedBody(chunks('abc', 'def'), 10, true, progress);
    expect(progress).toMatchObject({ bytesRead: 6, truncated: false });
    expect(Buffer.from(joinBody(progress)).toString()).toBe('abcdef');
  });

  it('stops at the cap, keeps exactly the cap, and destroys the stream', async () => {
    const progress = newBodyProgress();
    const stream = chunks('abcd', 'efgh', 'ijkl');
    await readCappedBody(stream, 6, true, progress);
    expect(progress).toMatchObject({ bytesRead: 6, truncated: true });
    expect(Buffer.from(joinBody(progress)).toString()).toBe('abcdef');
    expect(stream.destroyed).toBe(true);
  });

  it('is not truncated when the body is exactly the cap', async () => {
    const progress = newBodyProgress();
    await readCappedBody(chunks('abc', 'def'), 6, false, progress);
    expect(progress).toEqual({ bytesRead: 6, truncated: false, chunks: [] });
  });

  it('keeps the count of what arrived before an error', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.from('12345'));
    setImmediate(() => failing.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' })));
    const progress = newBodyProgress();
    await expect(readCappedBody(failing, 100, false, progress)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(progress.bytesRead).toBe(5);
  });

  it('rejects at once when the stream failed before it was read', async () => {
    // As got's stream does: headers, then a malformed chunk, failing before the body is read.
    const failed = new Readable({ read() {} }).on('error', () => undefined);
    failed.push(Buffer.from('12345'));
    failed.destroy(Object.assign(new Error('Parse Error: Invalid character in chunk size'), { code: 'HPE_INVALID_CHUNK_SIZE' }));
    await new Promise((resolve) => failed.once('close', resolve));
    await expect(readCappedBody(failed, 100, false, newBodyProgress())).rejects.toMatchObject({ code: 'HPE_INVALID_CHUNK_SIZE' });
    const closed = new Readable({ read() {} }).destroy();
    await expect(readCappedBody(closed, 100, false, newBodyProgress())).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('joins into a buffer of its own, transferable to a worker', () => {
    const progress = newBodyProgress();
    progress.chunks.push(Buffer.from('ab'), Buffer.from('c'));
    progress.bytesRead = 3;
    const body = joinBody(progress);
    expect(body.byteOffset).toBe(0);
    expect(body.buffer.byteLength).toBe(3);
  });
});
