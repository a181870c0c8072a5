// One source of truth per set of options: each rule of the libraries the consumer uses, as a
// mistake in its config file and as the same mistake in code (see tools/testing/config-rules.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe } from '@jest/globals';
import { createAlerts, type AlertsOptions } from '@sitewatch/alerts';
import { createSubscriber, type SubscriberOptions } from '@sitewatch/kafka-transport';
import { createSink, type SinkOptions } from '@sitewatch/pg-sink';
import { loadConfig } from '@sitewatch/service';
import postgres from 'postgres';
import { itReportsEachRuleOnce, ruleFiles, type OptionsRule } from '../../../tools/testing/config-rules.js';
import { checkConsumerConfig, consumerConfigSchema } from './config.js';

const { dir } = ruleFiles();
const missingFile = path.join(dir, 'missing.pem');
const pemFile = path.join(dir, 'ca.pem');
const notPemFile = path.join(dir, 'not.pem');
fs.writeFileSync(pemFile, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
fs.writeFileSync(notPemFile, 'not a certificate');

// Nothing listens on these: neither library connects before it is used.
const connection = { brokers: ['127.0.0.1:9'] };
const url = 'postgres://writer@127.0.0.1:9/monitor';
const base = { kafka: { ...connection, topic: 'results' }, consumer: {}, postgres: { url }, alerts: {} };
const sasl = { mechanism: 'scram-sha-256', username: 'u', password: 'a-password' } as const;

const subscriber = (options: Partial<SubscriberOptions>) => () =>
  createSubscriber({ connection, topic: 'results', groupId: 'sitewatch-writer', handleBatch: async () => undefined, ...options });
const sink = (options: SinkOptions) => () => createSink({ url, ...options });
const alerts = (options: AlertsOptions) => () => createAlerts({ sql: postgres(url), ...options });
const chat = { type: 'slack', url: 'https://hooks.slack.test/services/x' } as const;

const rules: Record<string, OptionsRule> = {
  'SASL without TLS': { config: { kafka: { sasl } }, path: '/kafka/sasl', library: subscriber({ connection: { ...connection, sasl } }), libraryPath: '/connection/sasl' },
  'an unreadable client key': {
    config: { kafka: { tls: { cert: '-----BEGIN CERTIFICATE-----', keyFile: missingFile } } },
    path: '/kafka/tls/keyFile',
    library: subscriber({ connection: { ...connection, tls: { cert: '-----BEGIN CERTIFICATE-----', keyFile: missingFile } } }),
    libraryPath: '/connection/tls/keyFile',
  },
  'a heartbeat as long as the session': {
    config: { consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 } },
    path: '/consumer/heartbeatIntervalMs',
    library: subscriber({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }),
    libraryPath: '/heartbeatIntervalMs',
  },
  'the topic as its own dead-letter topic': {
    config: { consumer: { deadLetterTopic: 'results' } },
    path: '/consumer/deadLetterTopic',
    library: subscriber({ deadLetterTopic: 'results' }),
    libraryPath: '/deadLetterTopic',
  },
  'too many partitions at a time': {
    config: { consumer: { partitionsConcurrently: 65 } },
    path: '/consumer/partitionsConcurrently',
    library: subscriber({ partitionsConcurrently: 65 }),
    libraryPath: '/partitionsConcurrently',
  },
  'a retry that shrinks': {
    config: { consumer: { retry: { initialMs: 500, maxMs: 100 } } },
    path: '/consumer/retry/maxMs',
    library: subscriber({ retry: { initialMs: 500, maxMs: 100 } }),
    libraryPath: '/retry/maxMs',
  },
  'an instance state directory below a file': {
    config: { consumer: { instance: { name: 'writer-1', stateDirectory: path.join(pemFile, 'state') } } },
    path: '/consumer/instance/stateDirectory',
    library: subscriber({ instance: { name: 'writer-1', stateDirectory: path.join(pemFile, 'state') } }),
    libraryPath: '/instance/stateDirectory',
  },
  'hourly rollups kept shorter than raw rows': {
    config: { postgres: { rawRetentionDays: 30, hourlyRetentionDays: 7 } },
    path: '/postgres/hourlyRetentionDays',
    library: sink({ rawRetentionDays: 30, hourlyRetentionDays: 7 }),
    libraryPath: '/hourlyRetentionDays',
  },
  'a CA inline and from a file': {
    config: { postgres: { ssl: { ca: 'x', caFile: missingFile } } },
    path: '/postgres/ssl/caFile',
    library: sink({ ssl: { ca: 'x', caFile: missingFile } }),
    libraryPath: '/ssl/caFile',
  },
  'an unreadable CA file': {
    config: { postgres: { ssl: { mode: 'verify-full', caFile: missingFile } } },
    path: '/postgres/ssl/caFile',
    library: sink({ ssl: { mode: 'verify-full', caFile: missingFile } }),
    libraryPath: '/ssl/caFile',
  },
  'a CA file that is not PEM': {
    config: { postgres: { ssl: { mode: 'verify-full', caFile: notPemFile } } },
    path: '/postgres/ssl/caFile',
    library: sink({ ssl: { mode: 'verify-full', caFile: notPemFile } }),
    libraryPath: '/ssl/caFile',
  },
  'a CA file under require, which would not use it': {
    config: { postgres: { ssl: { mode: 'require', caFile: pemFile } } },
    path: '/postgres/ssl/caFile',
    library: sink({ ssl: { mode: 'require', caFile: pemFile } }),
    libraryPath: '/ssl/caFile',
  },
  "an sslmode libpq falls back from silently (the URL's)": {
    config: { postgres: { url: `${url}?sslmode=prefer` } },
    path: '/postgres/url',
    library: sink({ url: `${url}?sslmode=prefer` }),
    libraryPath: '/url',
  },
  "ssl.mode at odds with the URL's sslmode": {
    config: { postgres: { url: `${url}?sslmode=require`, ssl: { mode: 'verify-full' } } },
    path: '/postgres/ssl/mode',
    library: sink({ url: `${url}?sslmode=require`, ssl: { mode: 'verify-full' } }),
    libraryPath: '/ssl/mode',
  },
  'an alert rule naming a channel that does not exist': {
    config: { alerts: { channels: { chat }, rules: [{ targets: ['api-*'], channels: ['pager'] }] } },
    path: '/alerts/rules/0/channels/0',
    library: alerts({ channels: { chat }, rules: [{ targets: ['api-*'], channels: ['pager'] }] }),
    libraryPath: '/rules/0/channels/0',
  },
  'a maintenance window that ends before it starts': {
    config: { alerts: { maintenance: [{ start: '2026-11-27T10:00:00Z', end: '2026-11-27T09:00:00Z' }] } },
    path: '/alerts/maintenance/0/end',
    library: alerts({ maintenance: [{ start: '2026-11-27T10:00:00Z', end: '2026-11-27T09:00:00Z' }] }),
    libraryPath: '/maintenance/0/end',
  },
  'a maintenance window in an unknown time zone': {
    config: { alerts: { maintenance: [{ every: ['sun'], at: '02:00', durationMs: 3_600_000, timeZone: 'Mars/Olympus' }] } },
    path: '/alerts/maintenance/0/timeZone',
    library: alerts({ maintenance: [{ every: ['sun'], at: '02:00', durationMs: 3_600_000, timeZone: 'Mars/Olympus' }] }),
    libraryPath: '/maintenance/0/timeZone',
  },
  'a maintenance window that is neither one-off nor weekly': {
    config: { alerts: { maintenance: [{ targets: ['db-*'] }] } },
    path: '/alerts/maintenance/0',
    library: alerts({ maintenance: [{ targets: ['db-*'] }] }),
    libraryPath: '/maintenance/0',
  },
  "an unreadable CA file of an email channel": {
    config: { alerts: { channels: { mail: { type: 'email', host: 'smtp.test', from: 'a@b.test', to: ['c@d.test'], caFile: missingFile } } } },
    path: '/alerts/channels/mail/caFile',
    library: alerts({ channels: { mail: { type: 'email', host: 'smtp.test', from: 'a@b.test', to: ['c@d.test'], caFile: missingFile } } }),
    libraryPath: '/channels/mail/caFile',
  },
  'a CA file of an email channel that is not PEM': {
    config: { alerts: { channels: { mail: { type: 'email', host: 'smtp.test', from: 'a@b.test', to: ['c@d.test'], caFile: notPemFile } } } },
    path: '/alerts/channels/mail/caFile',
    library: alerts({ channels: { mail: { type: 'email', host: 'smtp.test', from: 'a@b.test', to: ['c@d.test'], caFile: notPemFile } } }),
    libraryPath: '/channels/mail/caFile',
  },
  'a notifier retry that shrinks': {
    config: { alerts: { notifier: { retry: { initialMs: 5000, maxMs: 1000 } } } },
    path: '/alerts/notifier/retry/maxMs',
    library: alerts({ notifier: { retry: { initialMs: 5000, maxMs: 1000 } } }),
    libraryPath: '/notifier/retry/maxMs',
  },
  'a schema name that is not an identifier': {
    config: { postgres: { schema: 'Public; drop' } },
    path: '/postgres/schema',
    library: sink({ schema: 'Public; drop' }),
    libraryPath: '/schema',
  },
};

describe('a rule of the libraries', () => {
  itReportsEachRuleOnce(rules, base, (file) => loadConfig(file, { schema: consumerConfigSchema, env: {}, check: checkConsumerConfig }));
});
