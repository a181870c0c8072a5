// Dead letters: a message the subscriber cannot store goes to the dead-letter topic as it
// came (key, value bytes, headers), with why and where from in extra headers, so it can be
// inspected and replayed.
import { maxMessageBytes, type Problem } from '@sitewatch/schema';
import { toTransportError } from './errors.js';

/** Header names the subscriber adds to a dead letter. */
export const deadLetterHeaders = {
  /** Why the message was not stored (a human-readable sentence). */
  reason: 'sitewatch-dlq-reason',
  /** A stable code: `ERR_SCHEMA_*` for a bad message, or the code of the handler's error. */
  code: 'sitewatch-dlq-code',
  /** Where it came from: `topic/partition/offset`. */
  source: 'sitewatch-dlq-source',
  /** The (first) offending field as a JSON Pointer, when one is known (e.g. `/phases/dnsMs`). */
  field: 'sitewatch-dlq-field',
  /** Present when the value was too large for the dead-letter topic: the original size in bytes (the value is cut to its first bytes). */
  truncated: 'sitewatch-dlq-truncated',
} as const;

/** Kafka headers as they arrive: each value bytes, text, or repeated. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** A message as read from Kafka, reduced to what the subscriber needs. */
export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeaders;
  /** Decimal string: Kafka offsets are 64-bit. */
  offset: string;
}

/** Why a message is dead-lettered (a SchemaError is one). */
export interface DeadLetterReason {
  code: string;
  message: string;
  /** What is wrong with it, by JSON Pointer, when that is known. */
  problems?: readonly Problem[];
}

/** A message bound for the dead-letter topic. */
export interface DeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[]>;
}

/** The dead letter of `message` from `topic`/`partition`, keeping its key, bytes and headers. */
export function deadLetterOf(message: RawMessage, topic: string, partition: number, reason: DeadLetterReason): DeadLetter {
  const headers: DeadLetter['headers'] = {};
  // A replayed dead letter's own dead-letter headers describe its earlier failure, not this one.
  const ours = new Set<string>(Object.values(deadLetterHeaders));
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined && !ours.has(name)) headers[name] = value;
  headers[deadLetterHeaders.reason] = reason.message;
  headers[deadLetterHeaders.code] = reason.code;
  headers[deadLetterHeaders.source] = `${topic}/${partition}/${message.offset}`;
  const field = reason.problems?.[0]?.path;
  if (field) headers[deadLetterHeaders.field] = field;
  return { key: message.key, value: message.value, headers };
}

/** The reason to give for an error a batch handler threw: its own code when it has one. */
export function handlerFailure(error: unknown): DeadLetterReason {
  if (!(error instanceof Error)) return { code: 'ERR_TRANSPORT_HANDLER', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' && code.length > 0 ? code : 'ERR_TRANSPORT_HANDLER', message: error.message || error.name };
}

/**
 * A smaller copy of a dead letter the dead-letter topic refused as too large: the value cut
 * to its first `maxMessageBytes`, or, when it is that small already, no value at all. The
 * original size goes in the `truncated` header.
 */
export function shrunk(letter: DeadLetter): DeadLetter {
  const size = letter.headers[deadLetterHeaders.truncated] ?? String(letter.value?.length ?? 0);
  const value = letter.value !== null && letter.value.length > maxMessageBytes ? letter.value.subarray(0, maxMessageBytes) : null;
  return { ...letter, value, headers: { ...letter.headers, [deadLetterHeaders.truncated]: size } };
}

/** The integer in the first value of header `name`, if it holds one. */
export function integerHeader(headers: MessageHeaders, name: string): number | undefined {
  const raw = headers[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  const text = typeof first === 'string' ? first : first.toString('utf8');
  return /^[0-9]{1,9}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/**
 * Sends dead letters in one request with `send`. When the topic refuses them as too large,
 * sends them one at a time, shrinking (see `shrunk`) each one it still refuses.
 */
export async function sendDeadLetters(send: (letters: DeadLetter[]) => Promise<void>, letters: DeadLetter[]): Promise<void> {
  try {
    await send(letters);
    return;
  } catch (error) {
    if (toTransportError(error).code !== 'ERR_TRANSPORT_TOO_LARGE') throw error;
  }
  for (let letter of letters) {
    for (let shrinks = 0; ; shrinks++) {
      try {
        await send([letter]);
        break;
      } catch (error) {
        if (toTransportError(error).code !== 'ERR_TRANSPORT_TOO_LARGE' || shrinks === 2) throw error;
        letter = shrunk(letter);
      }
    }
  }
}
