// One source of truth per set of options: each rule of the libraries the producer uses, as a
// mistake in its config file and as the same mistake in code (see tools/testing/config-rules.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe } from '@jest/globals';
import { compileTarget, compileTargets, createResolver, createScheduler, type Target } from '@sitewatch/checker';
import { createPublisher, createRegistryMember, type PublisherOptions, type RegistryMemberOptions } from '@sitewatch/kafka-transport';
import { loadConfig } from '@sitewatch/service';
import { itReportsEachRuleOnce, ruleFiles, type OptionsRule } from '../../../tools/testing/config-rules.js';
import { checkProducerConfig, producerConfigSchema } from './config.js';

const { dir } = ruleFiles();
const pemFile = path.join(dir, 'ca.pem');
const notPemFile = path.join(dir, 'not.pem');
const missingFile = path.join(dir, 'missing.pem');
fs.writeFileSync(pemFile, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
fs.writeFileSync(notPemFile, 'not a certificate');

const site: Target = { id: 'shop', url: 'https://shop.test/' };
const connection = { brokers: ['127.0.0.1:9'] };
const base = { kafka: { ...connection, topic: 'results' }, checker: { targets: [site] }, producer: {} };
const sasl = { mechanism: 'plain', username: 'u', password: 'a-password' } as const;

const publisher = (options: Partial<PublisherOptions>) => () => createPublisher({ connection, topic: 'results', ...options });
const listener = { assigned: () => undefined, revoked: () => undefined, record: () => undefined };
const member = (options: Partial<RegistryMemberOptions>) => () => createRegistryMember({ connection, groupId: 'sitewatch-checkers-eu', listener, ...options });
/** A fleet checker: no targets of its own, the registry's with these settings. */
const fleet = (registry: object) => ({ checker: { targets: undefined, location: 'eu', registry } }) as unknown as Record<string, object>;

const rules: Record<string, OptionsRule> = {
  'SASL without TLS': { config: { kafka: { sasl } }, path: '/kafka/sasl', library: publisher({ connection: { ...connection, sasl } }), libraryPath: '/connection/sasl' },
  'SASL with tls: false': {
    config: { kafka: { sasl, tls: false } },
    path: '/kafka/sasl',
    library: publisher({ connection: { ...connection, sasl, tls: false } }),
    libraryPath: '/connection/sasl',
  },
  'a CA inline and from a file': {
    config: { kafka: { tls: { ca: 'x', caFile: pemFile } } },
    path: '/kafka/tls/caFile',
    library: publisher({ connection: { ...connection, tls: { ca: 'x', caFile: pemFile } } }),
    libraryPath: '/connection/tls/caFile',
  },
  'a client certificate without its key': {
    config: { kafka: { tls: { certFile: pemFile } } },
    path: '/kafka/tls/certFile',
    library: publisher({ connection: { ...connection, tls: { certFile: pemFile } } }),
    libraryPath: '/connection/tls/certFile',
  },
  'an unreadable CA file': {
    config: { kafka: { tls: { caFile: missingFile } } },
    path: '/kafka/tls/caFile',
    library: publisher({ connection: { ...connection, tls: { caFile: missingFile } } }),
    libraryPath: '/connection/tls/caFile',
  },
  'a CA file that is not PEM': {
    config: { kafka: { tls: { caFile: notPemFile } } },
    path: '/kafka/tls/caFile',
    library: publisher({ connection: { ...connection, tls: { caFile: notPemFile } } }),
    libraryPath: '/connection/tls/caFile',
  },
  'a broker without port': {
    config: { kafka: { brokers: ['localhost'] } },
    path: '/kafka/brokers/0',
    library: publisher({ connection: { brokers: ['localhost'] } }),
    libraryPath: '/connection/brokers/0',
  },
  'a bad topic name': { config: { kafka: { topic: 'a b' } }, path: '/kafka/topic', library: publisher({ topic: 'a b' }), libraryPath: '/topic' },
  'a buffer smaller than a batch': {
    config: { producer: { maxBufferedResults: 10, maxBatchResults: 20 } },
    path: '/producer/maxBufferedResults',
    library: publisher({ maxBufferedResults: 10, maxBatchResults: 20 }),
    libraryPath: '/maxBufferedResults',
  },
  'a retry that shrinks': {
    config: { producer: { retry: { initialMs: 500, maxMs: 100 } } },
    path: '/producer/retry/maxMs',
    library: publisher({ retry: { initialMs: 500, maxMs: 100 } }),
    libraryPath: '/retry/maxMs',
  },
  'an unknown setting': { config: { producer: { lingerMS: 5 } }, path: '/producer/lingerMS', library: publisher({ lingerMS: 5 } as never), libraryPath: '/lingerMS' },
  'a regex that does not compile': {
    config: { checker: { targets: [{ ...site, mustMatch: '(unclosed' }] } },
    path: '/checker/targets/0/mustMatch',
    library: () => compileTarget({ ...site, mustMatch: '(unclosed' }),
    libraryPath: '/mustMatch',
  },
  'a timeout longer than the interval from the defaults': {
    config: { checker: { defaults: { intervalMs: 5000 }, targets: [{ ...site, timeoutMs: 6000 }] } },
    path: '/checker/targets/0/timeoutMs',
    library: () => compileTarget({ ...site, timeoutMs: 6000 }, { intervalMs: 5000 }),
    libraryPath: '/timeoutMs',
  },
  'a regex with HEAD': {
    config: { checker: { targets: [{ ...site, method: 'HEAD', mustNotMatch: 'error' }] } },
    path: '/checker/targets/0/mustNotMatch',
    library: () => compileTarget({ ...site, method: 'HEAD', mustNotMatch: 'error' }),
    libraryPath: '/mustNotMatch',
  },
  'a JSON condition whose pointer is not one': {
    config: { checker: { targets: [{ ...site, json: [{ pointer: 'status', equals: 'UP' }] }] } },
    path: '/checker/targets/0/json/0/pointer',
    library: () => compileTarget({ ...site, json: [{ pointer: 'status', equals: 'UP' }] }),
    libraryPath: '/json/0/pointer',
  },
  'a JSON condition whose pattern RE2 refuses': {
    config: { checker: { targets: [{ ...site, json: [{ pointer: '/version', matches: '^2(?=\\.)' }] }] } },
    path: '/checker/targets/0/json/0/matches',
    library: () => compileTarget({ ...site, json: [{ pointer: '/version', matches: '^2(?=\\.)' }] }),
    libraryPath: '/json/0/matches',
  },
  'a number operator given a string': {
    config: { checker: { targets: [{ ...site, json: [{ pointer: '/ms', below: 'x' }] }] } },
    path: '/checker/targets/0/json/0/below',
    library: () => compileTarget({ ...site, json: [{ pointer: '/ms', below: 'x' as unknown as number }] }),
    libraryPath: '/json/0/below',
  },
  'two operators in one JSON condition': {
    config: { checker: { targets: [{ ...site, json: [{ pointer: '/ms', above: 0, below: 500 }] }] } },
    path: '/checker/targets/0/json/0',
    library: () => compileTarget({ ...site, json: [{ pointer: '/ms', above: 0, below: 500 }] }),
    libraryPath: '/json/0',
  },
  'a header condition without an operator, in the defaults': {
    config: { checker: { defaults: { responseHeaders: [{ name: 'x-cache' }] } } },
    path: '/checker/defaults/responseHeaders/0',
    library: () => compileTargets([site], { responseHeaders: [{ name: 'x-cache' }] }),
    libraryPath: '/defaults/responseHeaders/0',
  },
  'JSON conditions with HEAD': {
    config: { checker: { targets: [{ ...site, method: 'HEAD', json: [{ pointer: '/status', equals: 'UP' }] }] } },
    path: '/checker/targets/0/json',
    library: () => compileTarget({ ...site, method: 'HEAD', json: [{ pointer: '/status', equals: 'UP' }] }),
    libraryPath: '/json',
  },
  'a status range out of bounds': {
    config: { checker: { defaults: { acceptStatus: ['200-699'] } } },
    path: '/checker/defaults/acceptStatus',
    library: () => compileTargets([site], { acceptStatus: ['200-699'] }),
    libraryPath: '/defaults/acceptStatus',
  },
  'credentials in a URL': {
    config: { checker: { targets: [{ ...site, url: 'https://user:a-password@shop.test/' }] } },
    path: '/checker/targets/0/url',
    library: () => compileTarget({ ...site, url: 'https://user:a-password@shop.test/' }),
    libraryPath: '/url',
  },
  'a duplicate target id': {
    config: { checker: { targets: [site, { ...site, url: 'https://other.test/' }] } },
    path: '/checker/targets/1/id',
    library: () => compileTargets([site, { ...site, url: 'https://other.test/' }]),
    libraryPath: '/targets/1/id',
  },
  'a DNS server given by name': {
    config: { checker: { dns: { servers: ['127.0.0.1:5353', 'dns.example.com'] } } },
    path: '/checker/dns/servers/1',
    library: () => createResolver({ servers: ['127.0.0.1:5353', 'dns.example.com'] }),
    libraryPath: '/servers/1',
  },
  'a registry heartbeat longer than a third of the session': {
    config: fleet({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 2500 }),
    path: '/checker/registry/heartbeatIntervalMs',
    library: member({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 2500 }),
    libraryPath: '/heartbeatIntervalMs',
  },
  'a registry topic created without compaction': {
    config: fleet({ createTopic: { partitions: 6, replicationFactor: 1, config: { 'cleanup.policy': 'delete' } } }),
    path: '/checker/registry/createTopic/config/cleanup.policy',
    library: member({ createTopic: { partitions: 6, replicationFactor: 1, config: { 'cleanup.policy': 'delete' } } }),
    libraryPath: '/createTopic/config/cleanup.policy',
  },
  'a spool directory below a file': {
    config: { producer: { spool: { directory: path.join(pemFile, 'spool') } } },
    path: '/producer/spool/directory',
    library: publisher({ spool: { directory: path.join(pemFile, 'spool') } }),
    libraryPath: '/spool/directory',
  },
  'a registry instance state directory below a file': {
    config: fleet({ instance: { name: 'checker-1', stateDirectory: path.join(pemFile, 'state') } }),
    path: '/checker/registry/instance/stateDirectory',
    library: member({ instance: { name: 'checker-1', stateDirectory: path.join(pemFile, 'state') } }),
    libraryPath: '/instance/stateDirectory',
  },
  'no checks at once': {
    config: { checker: { concurrency: 0 } },
    path: '/checker/concurrency',
    library: () => createScheduler({ targets: [], check: async () => undefined as never, onResult: () => undefined, concurrency: 0 }),
    libraryPath: '/concurrency',
  },
};

describe('a rule of the libraries', () => {
  itReportsEachRuleOnce(rules, base, (file) => loadConfig(file, { schema: producerConfigSchema, env: {}, check: checkProducerConfig }));
});
