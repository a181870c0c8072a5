// The spool's options: the JSON Schema fragment a config file (`producer.spool`) and
// createPublisher() check them with.
import type { Problem } from '@sitewatch/schema';
import { stateDirectoryProblem, stateDirectorySchema } from './state-directory.js';

/** When the spool's writes are flushed to the disk (fsync). */
export const spoolFsyncModes = ['batch', 'interval'] as const;

/** Keep the results on disk until Kafka has them: a restart after a crash sends what the previous run left. */
export interface SpoolOptions {
  /** The directory of the log (required; created when missing); one publisher per directory. */
  directory: string;
  /** Most bytes the log takes on disk (default 1 GiB, about a million results); beyond it the oldest are dropped, an eighth of it at a time. */
  maxBytes?: number;
  /**
   * Every result is written at once (a killed process loses nothing). fsync decides what a
   * power cut or a kernel crash can take: `batch` flushes after every burst of writes (one
   * flush at a time, each covering everything written before it started), `interval` (the
   * default) every `fsyncIntervalMs`.
   */
  fsync?: (typeof spoolFsyncModes)[number];
  /** With `fsync: interval`, how often, in milliseconds (default 1000): at most this much is lost with the machine. */
  fsyncIntervalMs?: number;
}

/** Defaults of SpoolOptions. */
export const spoolDefaults = { maxBytes: 1024 ** 3, fsync: 'interval', fsyncIntervalMs: 1000 } as const;

/** JSON Schema fragment of SpoolOptions. */
export const spoolOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['directory'],
  description: 'Keep unsent results in a log on disk (a restart sends what a killed or crashed run left); default: in memory only.',
  properties: {
    directory: { ...stateDirectorySchema, description: 'The log directory, one producer each; created when missing, must be writable.' },
    maxBytes: { type: 'integer', minimum: 1024 * 1024, default: spoolDefaults.maxBytes, description: 'bytes on disk; beyond, the oldest are dropped (an eighth at a time), counted' },
    fsync: { enum: spoolFsyncModes, default: spoolDefaults.fsync, description: 'batch: flush after every burst of writes; interval: every fsyncIntervalMs' },
    fsyncIntervalMs: { type: 'integer', minimum: 10, maximum: 60_000, default: spoolDefaults.fsyncIntervalMs, description: 'ms' },
  },
} as const;

/** SpoolOptions checked, with defaults. */
export type SpoolSettings = Required<SpoolOptions>;

/** What is wrong with the spool options beyond their schema (an unusable directory), by JSON Pointer. */
export function spoolProblems(spool: SpoolOptions | undefined, pointer = '/spool'): Problem[] {
  const problem = spool && stateDirectoryProblem(spool.directory, `${pointer}/directory`);
  return problem ? [problem] : [];
}
