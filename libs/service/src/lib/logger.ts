import { createRequire } from 'node:module';
import { pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CreateLoggerOptions {
  /**
   * Service name, logged as `service` (and `name`) on every line. Leave it out when child
   * loggers name the services of one process (`logger.child({ service: 'producer' })`).
   */
  name?: string;
  /** Default `info`. */
  level?: LogLevel;
  /** Human-readable lines instead of JSON, through the optional peer dependency pino-pretty. Default: JSON. The apps turn it on for a TTY. */
  pretty?: boolean;
  /** Strings that must never be written (passwords, keys): replaced by `***` wherever they appear. */
  secrets?: readonly string[];
  /** Where lines go. Default stdout. */
  destination?: DestinationStream;
}

/** Replaces every occurrence of each secret in a string. */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((out, secret) => out.split(secret).join('***'), text);
}

function scrubValue(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  // Errors are left whole for the `err` serializer, which scrubs what it extracts.
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, scrub, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, scrub, depth + 1)]));
}

/** Where pino-pretty is installed: it is an optional peer dependency, needed only for pretty output. */
function prettyTarget(): string {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty');
  } catch (cause) {
    throw new Error('pretty log output needs the package pino-pretty, which is not installed: `npm install pino-pretty`, or turn pretty output off', { cause });
  }
}

/**
 * The service's pino logger. Every line passes through a scrubber, so a secret that ends up
 * in an error message (a driver echoing a connection string, say) is still never written.
 */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  const scrub = scrubber(options.secrets ?? []);
  const transport = options.pretty ? pino.transport({ target: prettyTarget(), options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }) : undefined;
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: options.name === undefined ? {} : { service: options.name },
      serializers: { err: (error: Error) => scrubValue(stdSerializers.err(error), scrub) },
      formatters: { log: (fields) => scrubValue(fields, scrub) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? transport,
  );
}
