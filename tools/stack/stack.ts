// The local stack: one real Kafka broker and PostgreSQL, for development, tests and CI.
// State (classpath, broker data, certificates, log) lives outside the repo, in
// SITEWATCH_STACK_DIR (default ~/.cache/sitewatch/stack), one folder per Kafka version.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerAnswers, brokerState, fetchKafka, kafkaEndpoints, startKafka, stopKafka, type KafkaEndpoints, type KafkaStackOptions } from './kafka.js';
import { postgresFromContainer } from './postgres-container.js';
import { ensurePostgres, localDatabaseUrl, redactUrl, stopPostgres } from './postgres.js';

export const defaultKafkaVersion = '3.9.2';

/** Everything a test or an app needs to reach the stack's services. */
export interface StackInfo {
  kafka: KafkaEndpoints;
  /** Absent when PostgreSQL is to come from a container per test run (SITEWATCH_POSTGRES=container). */
  databaseUrl?: string;
}

interface StackState {
  kafkaVersion: string;
  /** Set when `up` had to start the local PostgreSQL cluster; `down` stops it again. */
  startedPostgres?: string;
}

function stateDir(): string {
  return process.env.SITEWATCH_STACK_DIR ?? path.join(os.homedir(), '.cache', 'sitewatch', 'stack');
}

function stateFile(): string {
  return path.join(stateDir(), 'stack.json');
}

function readState(): StackState | undefined {
  return fs.existsSync(stateFile()) ? (JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as StackState) : undefined;
}

function kafkaOptions(version: string): KafkaStackOptions {
  const port = Number(process.env.SITEWATCH_KAFKA_PORT ?? 19092);
  return { version, dir: path.join(stateDir(), `kafka-${version}`), port };
}

/** KAFKA_VERSION if set, else the version of the running broker, else the default. */
function wantedVersion(): string {
  const running = readState()?.kafkaVersion;
  const isRunning = running !== undefined && brokerState(kafkaOptions(running)).running;
  return process.env.KAFKA_VERSION ?? (isRunning ? running : defaultKafkaVersion);
}

/** Resolves the broker's jars (Maven, cached in ~/.m2) without starting anything. */
export function stackFetch(version = wantedVersion()): string {
  fetchKafka(kafkaOptions(version));
  return version;
}

/** Starts what is not running and returns the endpoints; a second call returns at once. */
export async function stackUp(version = wantedVersion()): Promise<StackInfo> {
  const previous = readState();
  if (previous && previous.kafkaVersion !== version && brokerState(kafkaOptions(previous.kafkaVersion)).running) {
    throw new Error(`Kafka ${previous.kafkaVersion} is running; run \`npm run stack:down\` before starting ${version}.`);
  }
  const [kafka, pg] = await Promise.all([startKafka(kafkaOptions(version)), postgresFromContainer() ? { databaseUrl: undefined, started: undefined } : ensurePostgres()]);
  fs.mkdirSync(stateDir(), { recursive: true });
  const state: StackState = { kafkaVersion: version, startedPostgres: pg.started ?? previous?.startedPostgres };
  fs.writeFileSync(stateFile(), JSON.stringify(state, null, 2));
  return { kafka, databaseUrl: pg.databaseUrl };
}

/** Stops the broker (and PostgreSQL if `up` started it). Returns what it stopped. */
export async function stackDown(): Promise<string[]> {
  const state = readState();
  if (!state) return [];
  const stopped: string[] = [];
  if (await stopKafka(kafkaOptions(state.kafkaVersion))) stopped.push(`Kafka ${state.kafkaVersion}`);
  if (state.startedPostgres) {
    stopPostgres(state.startedPostgres);
    stopped.push(`PostgreSQL ${state.startedPostgres}`);
  }
  fs.rmSync(stateFile(), { force: true });
  return stopped;
}

/** True when the broker of the current stack state is running and answering. */
export async function brokerIsUp(): Promise<boolean> {
  return (await stackStatus()).kafka.answers;
}

export interface StackStatus {
  kafka: { version: string; running: boolean; pid?: number; answers: boolean; brokers: string[]; logFile: string };
  databaseUrl: string;
}

export async function stackStatus(): Promise<StackStatus> {
  const version = wantedVersion();
  const options = kafkaOptions(version);
  const state = brokerState(options);
  const endpoints = kafkaEndpoints(options);
  return {
    kafka: {
      version,
      running: state.running,
      pid: state.running ? state.pid : undefined,
      answers: state.running && (await brokerAnswers(endpoints.brokers)),
      brokers: endpoints.brokers,
      logFile: endpoints.logFile,
    },
    databaseUrl: redactUrl(process.env.DATABASE_URL ?? localDatabaseUrl),
  };
}

/** The environment variables through which tests and `npm start` find the stack. */
export function stackEnv(info: StackInfo): Record<string, string> {
  return {
    KAFKA_BROKERS: info.kafka.brokers.join(','),
    KAFKA_SSL_BROKERS: info.kafka.sslBrokers.join(','),
    KAFKA_SSL_CA_FILE: info.kafka.ssl.caFile,
    KAFKA_SSL_CERT_FILE: info.kafka.ssl.certFile,
    KAFKA_SSL_KEY_FILE: info.kafka.ssl.keyFile,
    KAFKA_SASL_BROKERS: info.kafka.sasl.brokers.join(','),
    KAFKA_SASL_USERNAME: info.kafka.sasl.username,
    KAFKA_SASL_PASSWORD_FILE: info.kafka.sasl.passwordFile,
    KAFKA_VERSION: info.kafka.version,
    ...(info.databaseUrl === undefined ? {} : { DATABASE_URL: info.databaseUrl }),
  };
}
