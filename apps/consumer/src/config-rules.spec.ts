// One source of truth per set of options: each rule, given once to the consumer's config
// loader (as a config file) and once to the library that owns it (as code), must come back
// as the same problem at the same JSON Pointer, counted from where the options sit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createSubscriber, type SubscriberOptions } from '@sitewatch/kafka-transport';
import { createSink, type SinkOptions } from '@sitewatch/pg-sink';
import { isSitewatchError, type Problem } from '@sitewatch/schema';
import { loadConfig } from '@sitewatch/service';
import { checkConsumerConfig, consumerConfigSchema } from './config.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-rules-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const missingFile = path.join(dir, 'missing.pem');

// Nothing listens on these: neither library connects before it is used.
const connection = { brokers: ['127.0.0.1:9'] };
const url = 'postgres://writer@127.0.0.1:9/monitor';
const base = { kafka: { ...connection, topic: 'results' }, consumer: {}, postgres: { url } };
const sasl = { mechanism: 'scram-sha-256', username: 'u', password: 'p' } as const;

/** The problems of a config file: `base` with `change` merged into its sections. */
function configProblems(change: Record<string, object>): readonly Problem[] {
  const config = Object.fromEntries(Object.entries(base).map(([section, value]) => [section, { ...value, ...change[section] }]));
  const file = path.join(dir, 'sitewatch.yaml');
  fs.writeFileSync(file, JSON.stringify(config));
  return problemsOf(() => loadConfig(file, { schema: consumerConfigSchema, env: {}, check: checkConsumerConfig }));
}

function problemsOf(call: () => unknown): readonly Problem[] {
  try {
    call();
  } catch (error) {
    if (isSitewatchError(error)) return error.problems;
    throw error;
  }
  throw new Error('expected a refusal');
}

const subscriber = (options: Partial<SubscriberOptions>) => () =>
  createSubscriber({ connection, topic: 'results', groupId: 'sitewatch-writer', handleBatch: async () => undefined, ...options });
const sink = (options: SinkOptions) => () => createSink({ url, ...options });

interface Rule {
  /** The same mistake in a config file (merged into `base`)... */
  config: Record<string, object>;
  /** ...reported there... */
  path: string;
  /** ...and given to the library, */
  library: () => unknown;
  /** which reports it here. */
  libraryPath: string;
}

const rules: Record<string, Rule> = {
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
  'a schema name that is not an identifier': {
    config: { postgres: { schema: 'Public; drop' } },
    path: '/postgres/schema',
    library: sink({ schema: 'Public; drop' }),
    libraryPath: '/schema',
  },
};

describe('a rule of the libraries', () => {
  it.each(Object.entries(rules))('%s: the same problem from the config file and from the library', (_name, rule) => {
    const fromLibrary = problemsOf(rule.library);
    expect(fromLibrary).toEqual([{ path: rule.libraryPath, message: expect.any(String) }]);
    expect(configProblems(rule.config)).toEqual([{ path: rule.path, message: fromLibrary[0]!.message }]);
  });
});
