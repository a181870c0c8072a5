// A checker fleet under test: a results topic and a registry topic of their own, a config
// file per location, `sitewatch-targets` run as a process, checker processes (the built
// producer) started and stopped by the tests, and every result read back as it lands.
import { createSubscriber, type Subscriber } from '@sitewatch/kafka-transport';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import type { CheckResult } from '@sitewatch/schema';
import { startApp, waitFor, writeConfig, type AppProcess } from './processes.js';
import { startSites, type Sites } from './sites.js';

/** Group timings of the fleet's checkers: the broker's shortest session, so takeovers are quick. */
export const sessionTimeoutMs = 6000;

export interface Fleet {
  kafka: TestKafka;
  sites: Sites;
  resultsTopic: string;
  registryTopic: string;
  /** Every result published so far, by id (a redelivered message is the same result). */
  results: Map<string, CheckResult>;
  /** The config file of a location (its checkers' probeId and consumer group). */
  configFile(location: string): string;
  /** Runs `sitewatch-targets` with the first location's config (and `env`); resolves with its exit code and output (stdout and stderr). */
  targets(args: string[], env?: Record<string, string>): Promise<{ code: number | string; output: string }>;
  /** Writes a targets file (`defaults` and `targets`); returns its path. */
  targetsFile(targets: Record<string, unknown>[], defaults?: Record<string, unknown>): string;
  /**
   * Starts a checker of `location` and waits until it has been given its share (possibly
   * none) of the registry; with `instance`, as that instance (`checker.registry.instance`).
   */
  startChecker(location: string, instance?: string): Promise<AppProcess>;
  /** The partitions a checker was last given ([] after it gave them up). */
  partitionsOf(checker: AppProcess): number[] | undefined;
  close(): Promise<void>;
}

/** Options of a fleet: registry settings replacing the defaults (e.g. a longer session), and where instances keep their state. */
export interface FleetOptions {
  registry?: Record<string, unknown>;
  stateDirectory?: string;
}

export async function startFleet(locations: string[], options: FleetOptions = {}): Promise<Fleet> {
  const [kafka, sites] = await Promise.all([startTestKafka(), startSites()]);
  const resultsTopic = kafka.uniqueTopicName('fleet-results');
  const registryTopic = kafka.uniqueTopicName('fleet-registry');
  const config = (location: string, instance?: string) =>
    writeConfig({
      log: { level: 'info' },
      kafka: { ...kafka.connection(), topic: resultsTopic, createTopic: { partitions: 3, replicationFactor: 1 } },
      checker: {
        location,
        concurrency: 50,
        registry: {
          topic: registryTopic,
          createTopic: { partitions: 6, replicationFactor: 1 },
          sessionTimeoutMs,
          heartbeatIntervalMs: 1000,
          ...options.registry,
          ...(instance && { instance: { name: instance, stateDirectory: options.stateDirectory } }),
        },
      },
      producer: { lingerMs: 20, metrics: { port: 0, host: '127.0.0.1' } },
    });
  const files = new Map(locations.map((location) => [location, config(location)]));
  const results = new Map<string, CheckResult>();
  let subscriber: Subscriber | undefined;
  const processes: AppProcess[] = [];
  const configFile = (location: string) => files.get(location)!;

  return {
    kafka,
    sites,
    resultsTopic,
    registryTopic,
    results,
    configFile,
    async targets(args, env = {}) {
      const command = startApp('targets', [...args, '--config', configFile(locations[0]!)], env);
      const code = await command.exited;
      return { code, output: command.output() };
    },
    targetsFile: (targets, defaults) => writeConfig({ ...(defaults && { defaults }), targets }, 'targets.yaml'),
    async startChecker(location, instance) {
      if (instance && !files.has(`${location}/${instance}`)) files.set(`${location}/${instance}`, config(location, instance));
      const checker = startApp('producer', ['--config', configFile(instance ? `${location}/${instance}` : location)]);
      processes.push(checker);
      await checker.waitForLog('registry partitions assigned', {}, 60_000);
      // Results are read once the first checker runs: the results topic exists then.
      if (!subscriber) {
        subscriber = createSubscriber({
          connection: kafka.connection(),
          topic: resultsTopic,
          groupId: kafka.uniqueGroupId('fleet-reader'),
          createTopic: { partitions: 3, replicationFactor: 1 },
          fetchMaxWaitMs: 100,
          handleBatch: async (batch) => void batch.forEach((result) => results.set(result.id, result)),
        });
        await subscriber.start();
      }
      return checker;
    },
    partitionsOf(checker) {
      const last = checker.logs().filter((entry) => entry.msg === 'registry partitions assigned' || entry.msg === 'registry partitions revoked').at(-1);
      return last?.msg === 'registry partitions assigned' ? (last.partitions as number[]) : last && [];
    },
    async close() {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await subscriber?.close();
      await Promise.all([kafka.close(), sites.close()]);
    },
  };
}

/** Waits until every target has a result from `probeId` scheduled after `after` (ms since the epoch). */
export async function checkedAfter(fleet: Fleet, ids: readonly string[], probeId: string, after: number, timeoutMs = 60_000): Promise<void> {
  const pending = () => {
    const seen = new Set([...fleet.results.values()].filter((r) => r.probeId === probeId && Date.parse(r.scheduledAt) > after).map((r) => r.targetId));
    return ids.filter((id) => !seen.has(id));
  };
  await waitFor(() => `results of ${pending().join(', ')} from ${probeId} after ${new Date(after).toISOString()}`, () => pending().length === 0, timeoutMs);
}

/** How many results share a (target, probe, slot): each entry is a slot checked more than once. */
export function slotsCheckedTwice(results: Iterable<CheckResult>): { slot: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(`${r.targetId} ${r.probeId} ${r.scheduledAt}`, (counts.get(`${r.targetId} ${r.probeId} ${r.scheduledAt}`) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([slot, count]) => ({ slot, count }));
}

/**
 * The longest time between two consecutive slots checked of any of `ids` from `probeId`,
 * among the pairs that overlap [from, to] (ms since the epoch): the gap an event then caused.
 */
export function longestGap(results: Iterable<CheckResult>, ids: readonly string[], probeId: string, from: number, to: number): number {
  const slots = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const r of results) if (r.probeId === probeId) slots.get(r.targetId)?.push(Date.parse(r.scheduledAt));
  let longest = 0;
  for (const times of slots.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) if (times[i - 1]! < to && times[i]! > from) longest = Math.max(longest, times[i]! - times[i - 1]!);
  }
  return longest;
}
