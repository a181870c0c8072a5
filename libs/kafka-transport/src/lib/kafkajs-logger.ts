// kafkajs logs through a `logCreator`; this one forwards to our Logger, never to the console.
import type { Logger } from '@sitewatch/schema';
import { logLevel, type logCreator } from 'kafkajs';

/** The kafkajs log level to ask for: INFO and up (DEBUG is one line per request). */
export const kafkajsLogLevel = logLevel.INFO;

/**
 * A kafkajs `logCreator` writing to `logger` at debug, with `{ kafkajs: namespace }`.
 * kafkajs logs every failed attempt of an operation it retries at ERROR (a broker outage
 * means dozens of lines a second), and its INFO lines repeat events the publisher and
 * subscriber report themselves, once, with the outcome, at the level the outcome deserves
 * (an outage at warn when it starts and every 30 s, lost data at error).
 */
export function createLogCreator(logger: Logger): logCreator {
  return () => (entry) => {
    // kafkajs adds its own timestamp and logger name; the app's logger has both already.
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log as { message: string; timestamp?: string; logger?: string };
    logger.debug({ kafkajs: entry.namespace, ...fields }, message);
  };
}
