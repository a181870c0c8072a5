// Shared by this package's unit and integration tests.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { Logger } from '@sitewatch/schema';
import { startTestKafka, type TestKafka } from '../src/testing.js';
import { waitFor } from '../../../tools/testing/wait-for.js';

/** One recorded log call. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A Logger that keeps every call (child bindings merged into the fields). */
export function recordingLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at =
    (level: LogRecord['level']) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof fieldsOrMessage === 'string') records.push({ level, fields: { ...bindings }, message: fieldsOrMessage });
      else records.push({ level, fields: { ...bindings, ...fieldsOrMessage }, message: message ?? '' });
    };
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(records, { ...bindings, ...more }),
  };
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export function eventually<T>(probe: () => T | Promise<T>, { timeoutMs = 15_000, intervalMs = 20, what = 'condition' } = {}): Promise<Exclude<T, false | undefined>> {
  return waitFor(what, probe, timeoutMs, intervalMs);
}

/** What an integration test file shares: the test run's broker, and cleanups run after each test (last first). */
export interface TestKafkaContext {
  kafka: TestKafka;
  cleanups: (() => Promise<unknown>)[];
}

/** Registers the hooks of an integration test file that uses the broker. */
export function useTestKafka(): TestKafkaContext {
  const context: TestKafkaContext = { kafka: undefined as unknown as TestKafka, cleanups: [] };
  beforeAll(async () => {
    context.kafka = await startTestKafka();
  });
  afterEach(async () => {
    for (const cleanup of context.cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => context.kafka.close());
  return context;
}

/** Subscriber timings that make group joins and takeovers quick in tests. */
export const quickGroup = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fetchMaxWaitMs: 100 } as const;
