// kafkajs logs through a `logCreator`; this one forwards to our Logger, never to the console.
import type { Logger } from '@sitewatch/schema';
import { logLevel, type logCreator, type LogEntry } from 'kafkajs';

/** The kafkajs log level to ask for: INFO and up (DEBUG is one line per request). */
export const kafkajsLogLevel = logLevel.INFO;

// Messages kafkajs logs above their worth here, with the level they deserve and why.
const downgraded: ReadonlyArray<[RegExp, 'debug' | 'info']> = [
  // Our send loop retries the same batch itself (sequence numbers are rolled back on a failed
  // request), so kafkajs' own retries can be limited without losing idempotence.
  [/^Limiting retries for the idempotent producer/, 'debug'],
];

function ourLevel(entry: LogEntry): 'debug' | 'info' | 'warn' {
  const message = entry.log.message;
  for (const [pattern, level] of downgraded) if (pattern.test(message)) return level;
  // kafkajs logs every failed attempt of an operation it then retries at ERROR; the
  // publisher and subscriber log the outcome themselves (error when it is final), so a
  // kafkajs error is a warning here.
  if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) return 'warn';
  // Its INFO lines (starting, joined the group, ...) repeat what the publisher and subscriber
  // say themselves, with their own fields.
  return 'debug';
}

/** A kafkajs `logCreator` writing to `logger` with `{ kafkajs: namespace }`. */
export function createLogCreator(logger: Logger): logCreator {
  return () => (entry) => {
    // kafkajs adds its own timestamp and logger name; the app's logger has both already.
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log as { message: string; timestamp?: string; logger?: string };
    logger[ourLevel(entry)]({ kafkajs: entry.namespace, ...fields }, message);
  };
}
