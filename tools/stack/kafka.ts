// A real single-node Apache Kafka broker in KRaft mode, run with Java from the jars that
// Maven resolves from Maven Central (see pom.xml). Listeners on 127.0.0.1 only:
// PLAINTEXT; SSL with required client certificates from a throwaway CA; SASL_SSL with
// PLAIN and SCRAM-SHA-256/512 for one user whose password is made at format time.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createCertificateAuthority } from '../testing/certs.js';

const pomFile = path.join(import.meta.dirname, 'pom.xml');

export interface KafkaStackOptions {
  /** Apache Kafka version (Maven artifact org.apache.kafka:kafka_2.13). */
  version: string;
  /** Where this version's classpath, data, certificates and log live. */
  dir: string;
  /** PLAINTEXT port; SSL is port + 1, SASL_SSL port + 2, the KRaft controller port + 3. */
  port: number;
}

/** What a client needs to reach the broker. */
export interface KafkaEndpoints {
  version: string;
  brokers: string[];
  sslBrokers: string[];
  /** PEM files in the layout an Aiven user downloads. */
  ssl: { caFile: string; certFile: string; keyFile: string };
  /** SASL over TLS (server-authenticated, no client certificate): PLAIN, SCRAM-SHA-256 and -512. */
  sasl: { brokers: string[]; username: string; passwordFile: string };
  logFile: string;
}

const saslUser = 'sitewatch';

export class StackError extends Error {
  override name = 'StackError';
}

function paths(options: KafkaStackOptions) {
  const { dir } = options;
  return {
    classpath: path.join(dir, 'classpath.txt'),
    data: path.join(dir, 'data'),
    certs: path.join(dir, 'certs'),
    properties: path.join(dir, 'server.properties'),
    pid: path.join(dir, 'broker.pid'),
    saslPassword: path.join(dir, 'sasl-password'),
    log: path.join(dir, 'broker.log'),
  };
}

export function kafkaEndpoints(options: KafkaStackOptions): KafkaEndpoints {
  const p = paths(options);
  return {
    version: options.version,
    brokers: [`127.0.0.1:${options.port}`],
    sslBrokers: [`127.0.0.1:${options.port + 1}`],
    ssl: {
      caFile: path.join(p.certs, 'ca.pem'),
      certFile: path.join(p.certs, 'service.cert'),
      keyFile: path.join(p.certs, 'service.key'),
    },
    sasl: { brokers: [`127.0.0.1:${options.port + 2}`], username: saslUser, passwordFile: p.saslPassword },
    logFile: p.log,
  };
}

function javaBin(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function requireTool(command: string, args: string[], hint: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new StackError(`${command} is needed to run the local Kafka broker but did not run (${result.error?.message ?? `exit ${result.status}`}). ${hint}`);
  }
}

/** Resolves the broker's jars with Maven (cached in ~/.m2) and returns the classpath. */
export function fetchKafka(options: KafkaStackOptions): string {
  const p = paths(options);
  if (fs.existsSync(p.classpath)) {
    const classpath = fs.readFileSync(p.classpath, 'utf8').trim();
    if (classpath.split(path.delimiter).every((jar) => fs.existsSync(jar))) return classpath;
  }
  requireTool('mvn', ['-v'], 'Install Apache Maven (apt-get install maven).');
  fs.mkdirSync(options.dir, { recursive: true });
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', pomFile, `-Dkafka.version=${options.version}`, 'dependency:build-classpath', `-Dmdep.outputFile=${p.classpath}`],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new StackError(`Maven could not resolve org.apache.kafka:kafka_2.13:${options.version}:\n${output}`);
  }
  return fs.readFileSync(p.classpath, 'utf8').trim();
}

/** A fresh throwaway CA: the broker's PEM key store, and the files a client needs. */
async function kafkaCertificates(): Promise<Record<'ca.pem' | 'broker.pem' | 'service.cert' | 'service.key', string>> {
  const ca = await createCertificateAuthority('sitewatch local Kafka CA');
  const broker = await ca.issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1', '::1'] });
  const client = await ca.issue({ commonName: 'sitewatch-client', usage: 'client' });
  return {
    'ca.pem': ca.cert,
    'broker.pem': `${broker.key}${broker.cert}${ca.cert}`,
    'service.cert': client.cert,
    'service.key': client.key,
  };
}

/** Writes the certificates with owner-only permissions. */
function writeFiles(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content, { mode: 0o600 });
  }
}

function serverProperties(options: KafkaStackOptions, saslPassword: string): string {
  const p = paths(options);
  const [plain, ssl, sasl, controller] = [0, 1, 2, 3].map((offset) => options.port + offset);
  const plainJaas = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${saslUser}="${saslPassword}";`;
  const scramJaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${plain},SSL://127.0.0.1:${ssl},SASL_SSL://127.0.0.1:${sasl},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${plain},SSL://127.0.0.1:${ssl},SASL_SSL://127.0.0.1:${sasl}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    // TLS: the same key store on both TLS listeners; client certificates only on SSL.
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${path.join(p.certs, 'broker.pem')}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${path.join(p.certs, 'ca.pem')}`,
    'listener.name.ssl.ssl.client.auth=required',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${plainJaas}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scramJaas}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scramJaas}`,
    `log.dirs=${p.data}`,
    'num.partitions=1',
    // Like a managed service: clients create the topics they need, with settings.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/** The SASL user's password: made once, when the storage is formatted, and kept with it. */
function saslPassword(options: KafkaStackOptions): string {
  const p = paths(options);
  if (!fs.existsSync(p.saslPassword)) {
    fs.mkdirSync(options.dir, { recursive: true });
    fs.writeFileSync(p.saslPassword, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(p.saslPassword, 'utf8');
}

function formatStorage(options: KafkaStackOptions, classpath: string, password: string): void {
  const p = paths(options);
  if (fs.existsSync(path.join(p.data, 'meta.properties'))) return;
  const clusterId = randomBytes(16).toString('base64url');
  // SCRAM credentials live in the cluster metadata, so they are written at format time.
  const scram = ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${saslUser},password=${password}]`]);
  // `--cluster-id=<id>`, not `-t <id>`: a base64url id starts with '-' once in 64, and the
  // tool then reads it as an option ("argument --cluster-id/-t: expected one argument").
  const result = spawnSync(javaBin(), ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', p.properties, ...scram], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new StackError(`Formatting Kafka storage in ${p.data} failed:\n${result.stdout}${result.stderr}`.replaceAll(password, '***'));
  }
}

function readPid(options: KafkaStackOptions): number | undefined {
  const p = paths(options);
  if (!fs.existsSync(p.pid)) return undefined;
  const pid = Number(fs.readFileSync(p.pid, 'utf8'));
  try {
    // Only a live process running this broker counts: pids are reused.
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(p.properties) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** The log's errors if it has any (a failed start ends in pages of shutdown noise), else its tail. */
function logExcerpt(file: string, lines = 30): string {
  if (!fs.existsSync(file)) return '(no log)';
  const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const errors = all.filter((line) => /\b(ERROR|FATAL)\b|^Caused by:|Exception:/.test(line));
  return (errors.length > 0 ? errors : all).slice(-lines).join('\n');
}

/** True when `ask` succeeds with an admin client of the broker that gives up at once. */
async function adminAnswers(brokers: string[], ask: (admin: Admin) => Promise<unknown>, timeoutMs = 2000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'sitewatch-stack',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await ask(admin);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** True when the broker answers a metadata request. */
export function brokerAnswers(brokers: string[], timeoutMs = 2000): Promise<boolean> {
  return adminAnswers(brokers, (admin) => admin.describeCluster(), timeoutMs);
}

/**
 * True when the group coordinator answers: on a new broker, once __consumer_offsets is made
 * and loaded (before that, a first group join fails with "The coordinator is loading").
 */
function groupsAnswer(brokers: string[]): Promise<boolean> {
  // Metadata first: it fills the client's broker pool, where the coordinator is looked up.
  return adminAnswers(brokers, async (admin) => {
    await admin.describeCluster();
    await admin.describeGroups(['sitewatch-stack-probe']);
  });
}

export type BrokerState = { running: true; pid: number } | { running: false };

export function brokerState(options: KafkaStackOptions): BrokerState {
  const pid = readPid(options);
  return pid === undefined ? { running: false } : { running: true, pid };
}

/** Starts the broker unless it is already up; resolves once it answers metadata and group requests. */
export async function startKafka(options: KafkaStackOptions, timeoutMs = 120_000): Promise<KafkaEndpoints> {
  const endpoints = kafkaEndpoints(options);
  const p = paths(options);
  if (readPid(options) !== undefined && (await brokerAnswers(endpoints.brokers))) return endpoints;

  requireTool(javaBin(), ['-version'], 'Install Java 17 or newer (apt-get install openjdk-17-jre-headless) or set JAVA_HOME.');
  const classpath = fetchKafka(options);
  for (const port of [0, 1, 2, 3].map((offset) => options.port + offset)) {
    if (readPid(options) === undefined && (await portInUse(port))) {
      throw new StackError(`Port ${port} on 127.0.0.1 is taken by another process; set SITEWATCH_KAFKA_PORT to move the broker's ports.`);
    }
  }
  writeFiles(p.certs, await kafkaCertificates());
  const password = saslPassword(options);
  fs.writeFileSync(p.properties, serverProperties(options, password), { mode: 0o600 });
  formatStorage(options, classpath, password);

  const log = fs.openSync(p.log, 'a');
  const child = spawn(
    javaBin(),
    ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-Djava.awt.headless=true', '-cp', classpath, 'kafka.Kafka', p.properties],
    { detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  fs.writeFileSync(p.pid, String(child.pid));

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new StackError(`The Kafka broker exited (code ${exited}) while starting. Log ${p.log}:\n${logExcerpt(p.log)}`);
    }
    if ((await brokerAnswers(endpoints.brokers)) && (await groupsAnswer(endpoints.brokers))) return endpoints;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopKafka(options);
  throw new StackError(`The Kafka broker did not answer within ${timeoutMs / 1000}s. Log ${p.log}:\n${logExcerpt(p.log)}`);
}

/** Stops the broker (SIGTERM, then SIGKILL after the timeout) and waits until it is gone. */
export async function stopKafka(options: KafkaStackOptions, timeoutMs = 30_000): Promise<boolean> {
  const pid = readPid(options);
  fs.rmSync(paths(options).pid, { force: true });
  if (pid === undefined) return false;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
  while (alive()) await new Promise((resolve) => setTimeout(resolve, 50));
  return true;
}
