// Reading a response body up to a byte cap, keeping the bytes only when something will read them.
import type { Readable } from 'node:stream';

/** How much of the body was read; filled as reading goes, so it is right even after an error. */
export interface BodyProgress {
  /** Bytes read (after decompression), at most the cap. */
  bytesRead: number;
  /** True when the body went on beyond the cap and reading stopped there. */
  truncated: boolean;
  /** The bytes read, when kept. */
  chunks: Buffer[];
}

/** A fresh progress record. */
export function newBodyProgress(): BodyProgress {
  return { bytesRead: 0, truncated: false, chunks: [] };
}

/** The error of a stream that closed before its end. */
function prematureClose(): Error {
  return Object.assign(new Error('body ended early'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * Reads `stream` until its end or until `maxBytes`; beyond the cap it stops and destroys the
 * stream (and so the request) instead of downloading the rest. Errors of the stream, and an
 * end without `end`, reject. Events rather than async iteration: 3% of a check's CPU (measured).
 */
export function readCappedBody(stream: Readable, maxBytes: number, keep: boolean, progress: BodyProgress): Promise<void> {
  // The stream may have failed before anyone listened: headers and a malformed body in one
  // packet fail within the tick that emits the response. Its events are then gone for good.
  if (stream.errored) return Promise.reject(stream.errored);
  if (stream.destroyed) return Promise.reject(prematureClose());
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('data', onData).off('end', settle).off('error', settle).off('close', onClose);
      // Whatever the stream says after this is of no interest, but must not go unhandled.
      stream.on('error', () => undefined);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onClose = () => settle(prematureClose());
    const onData = (chunk: Buffer) => {
      const room = maxBytes - progress.bytesRead;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      progress.bytesRead += part.length;
      if (keep && part.length > 0) progress.chunks.push(part);
      if (chunk.length > room) {
        progress.truncated = true;
        settle();
        stream.destroy();
      }
    };
    stream.on('data', onData).once('end', settle).once('error', settle).once('close', onClose);
  });
}

/** The kept bytes in one buffer of their own (not a slice of Node's pool), so it can be transferred to a worker. */
export function joinBody(progress: BodyProgress): Uint8Array {
  const body = new Uint8Array(progress.bytesRead);
  let offset = 0;
  for (const chunk of progress.chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
