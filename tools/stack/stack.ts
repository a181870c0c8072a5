// The local stack: one real Kafka broker and PostgreSQL, for development, tests and CI.
// State (classpath, broker data, certificates, log; the embedded PostgreSQL's binaries and
// cluster) lives outside the repo, in SITEWATCH_STACK_DIR (default ~/.cache/sitewatch/stack),
// one folder per Kafka version and per PostgreSQL major.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerAnswers, brokerState, fetchKafka, kafkaEndpoints, startKafka, stopKafka, type KafkaEndpoints, type KafkaStackOptions } from './kafka.js';
import { postgresFromContainer } from './postgres-container.js';
import { stopEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { ensurePostgres, localDatabaseUrl, redactUrl, stopPostgres, type PostgresEndpoint } from './postgres.js';

export const defaultKafkaVersion = '3.9.2';

/** Everything a test or an app needs to reach the stack's services. */
export interface StackInfo {
  kafka: KafkaEndpoints;
  /** Absent when PostgreSQL is to come from a container per test run (SITEWATCH_POSTGRES=container). */
  databaseUrl?: string;
  /** Set when databaseUrl is the embedded server's. */
  embeddedPostgres?: EmbeddedPostgres;
}

interface StackState {
  kafkaVersion: string;
  /** Set when `up` had to start the local PostgreSQL cluster; `down` stops it again. */
  startedPostgres?: string;
  /** Set when `up` started the embedded PostgreSQL; `down` stops it again. */
  embeddedPostgres?: EmbeddedPostgres;
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

/** The local PostgreSQL's port: SITEWATCH_POSTGRES_PORT, default 5432. */
function postgresPort(): number {
  return Number(process.env.SITEWATCH_POSTGRES_PORT ?? 5432);
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
  const databaseUrl = process.env.DATABASE_URL;
  const port = postgresPort();
  const [kafkaUp, pgUp] = await Promise.allSettled([
    startKafka(kafkaOptions(version)),
    postgresFromContainer() ? {} : ensurePostgres({ databaseUrl, port, stackDir: stateDir() }),
  ]);
  // What did start is recorded even when the other failed, so that `down` stops it.
  const pg: Partial<PostgresEndpoint> = pgUp.status === 'fulfilled' ? pgUp.value : {};
  fs.mkdirSync(stateDir(), { recursive: true });
  const embeddedPostgres = pg.embedded ?? previous?.embeddedPostgres;
  const state: StackState = { kafkaVersion: version, startedPostgres: pg.started ?? previous?.startedPostgres, embeddedPostgres };
  fs.writeFileSync(stateFile(), JSON.stringify(state, null, 2));
  if (kafkaUp.status === 'rejected') throw kafkaUp.reason;
  if (pgUp.status === 'rejected') throw pgUp.reason;
  const kafka = kafkaUp.value;
  // The server that answered is the embedded one this or an earlier `up` started.
  const isEmbedded = pg.databaseUrl !== undefined && databaseUrl === undefined && embeddedPostgres?.port === port;
  return { kafka, databaseUrl: pg.databaseUrl, ...(isEmbedded && { embeddedPostgres }) };
}

/** Stops the broker (and PostgreSQL if `up` started it: the local cluster, or the embedded server). Returns what it stopped. */
export async function stackDown(): Promise<string[]> {
  const state = readState();
  if (!state) return [];
  const stopped: string[] = [];
  if (await stopKafka(kafkaOptions(state.kafkaVersion))) stopped.push(`Kafka ${state.kafkaVersion}`);
  if (state.startedPostgres) {
    stopPostgres(state.startedPostgres);
    stopped.push(`PostgreSQL ${state.startedPostgres}`);
  }
  if (state.embeddedPostgres && (await stopEmbeddedPostgres(state.embeddedPostgres))) stopped.push(`PostgreSQL ${state.embeddedPostgres.version} (embedded)`);
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
  /** The embedded PostgreSQL that `up` started, if it did. */
  embeddedPostgres?: EmbeddedPostgres;
}

export async function stackStatus(): Promise<StackStatus> {
  const version = wantedVersion();
  const options = kafkaOptions(version);
  const state = brokerState(options);
  const endpoints = kafkaEndpoints(options);
  const embeddedPostgres = readState()?.embeddedPostgres;
  return {
    kafka: {
      version,
      running: state.running,
      pid: state.running ? state.pid : undefined,
      answers: state.running && (await brokerAnswers(endpoints.brokers)),
      brokers: endpoints.brokers,
      logFile: endpoints.logFile,
    },
    databaseUrl: redactUrl(process.env.DATABASE_URL ?? localDatabaseUrl(postgresPort())),
    ...(embeddedPostgres && { embeddedPostgres }),
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
