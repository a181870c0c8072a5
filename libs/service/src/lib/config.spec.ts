import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isSitewatchError, type JsonSchema, type Problem } from '@sitewatch/schema';
import { renamedSettings, sitewatchSections } from './config-schema.js';
import { loadConfig } from './config.js';
import { serviceErrorCodes } from './errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const schema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kafka'],
  properties: {
    kafka: {
      type: 'object',
      additionalProperties: false,
      required: ['brokers'],
      properties: {
        brokers: { type: 'array', items: { type: 'string' }, minItems: 1 },
        topic: { type: 'string', default: 'checks' },
        sasl: {
          type: 'object',
          additionalProperties: false,
          properties: { mechanism: { enum: ['plain', 'scram-sha-256'] }, password: { type: 'string' } },
        },
        tls: { type: 'object', properties: { caFile: { type: 'string' } } },
      },
    },
    targets: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string', pattern: '^https?://' } } } },
    postgres: { type: 'object', properties: { url: { type: 'string' } } },
    hook: { type: 'object', properties: { url: { type: 'string', secret: true }, headers: { type: 'object', additionalProperties: { type: 'string', secret: 'maybe' } } } },
  },
};

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): readonly Problem[] {
  try {
    fn();
  } catch (error) {
    if (!isSitewatchError(error, serviceErrorCodes)) throw error;
    expect(error.code).toBe('ERR_SERVICE_CONFIG');
    return error.problems;
  }
  throw new Error('expected a config error');
}

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const { config } = loadConfig<{ kafka: { brokers: string[]; topic: string } }>(write('ok.yaml', 'kafka:\n  brokers: [a:9092]\n'), { schema, env: {} });
    expect(config.kafka).toEqual({ brokers: ['a:9092'], topic: 'checks' });
    expect(Object.isFrozen(config.kafka.brokers)).toBe(true);
  });

  it('lists every problem by JSON Pointer, in one error', () => {
    const file = write(
      'bad.yaml',
      ['kafka:', '  brokers: []', '  topics: x', '  sasl: { mechanism: gssapi }', 'targets:', '  - url: ftp://x', '  - {}', 'extra: 1'].join('\n'),
    );
    expect(problemsOf(() => loadConfig(file, { schema, env: {} }))).toEqual(
      expect.arrayContaining([
        { path: '/kafka/brokers', message: 'must NOT have fewer than 1 items' },
        { path: '/kafka/topics', message: 'is not a known setting' },
        { path: '/kafka/sasl/mechanism', message: 'must be one of: plain, scram-sha-256' },
        { path: '/targets/0/url', message: 'must match pattern "^https?://"' },
        { path: '/targets/1/url', message: 'is required' },
        { path: '/extra', message: 'is not a known setting' },
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const [problem] = problemsOf(() => loadConfig(write('syntax.yaml', 'kafka:\n  brokers: [a\n'), { schema, env: {} }));
    expect(problem?.message).toMatch(/^YAML line \d+, column \d+: /);
  });

  it('reports duplicate keys', () => {
    const problems = problemsOf(() => loadConfig(write('dup.yaml', 'kafka:\n  brokers: [a]\nkafka:\n  brokers: [b]\n'), { schema, env: {} }));
    expect(problems[0]?.message).toMatch(/unique|duplicate/i);
  });

  it('reports a missing file without a stack trace', () => {
    expect(problemsOf(() => loadConfig(path.join(dir, 'none.yaml'), { schema, env: {} }))).toEqual([
      { path: '', message: 'cannot read the config file (ENOENT)' },
    ]);
  });

  it('resolves ${env:} and ${file:} references and records them as secrets', () => {
    write('password.txt', 'from-file-secret\n');
    const file = write(
      'refs.yaml',
      'kafka:\n  brokers: [a]\n  sasl: { mechanism: plain, password: "${file:password.txt}" }\npostgres:\n  url: "postgres://u:${env:PGPASSWORD}@db/x"\n',
    );
    const { config, secrets } = loadConfig<{ kafka: { sasl: { password: string } }; postgres: { url: string } }>(file, {
      schema,
      env: { PGPASSWORD: 'env-secret' },
    });
    expect(config.kafka.sasl.password).toBe('from-file-secret');
    expect(config.postgres.url).toBe('postgres://u:env-secret@db/x');
    expect(secrets).toEqual(expect.arrayContaining(['from-file-secret', 'env-secret']));
  });

  it('treats inline passwords in secret-named keys and URLs as secrets', () => {
    const file = write('inline.yaml', 'kafka:\n  brokers: [a]\n  sasl: { password: inline-pw }\npostgres:\n  url: postgres://u:url-pw@db/x\n');
    expect(loadConfig(file, { schema, env: {} }).secrets.sort()).toEqual(['inline-pw', 'url-pw']);
  });

  it('reports a renamed setting with where it went, instead of as unknown, and other unknown keys as before', () => {
    const checker = { type: 'object', additionalProperties: false, properties: { location: { type: 'string' } } };
    const file = write('renamed.yaml', 'kafka:\n  brokers: [a]\nchecker:\n  probeId: eu-west\n  colour: blue\n');
    expect(problemsOf(() => loadConfig(file, { schema: { ...schema, properties: { ...(schema.properties as object), checker } }, env: {} }))).toEqual([
      { path: '/checker/probeId', message: 'renamed to checker.location' },
      { path: '/checker/colour', message: 'is not a known setting' },
    ]);
  });

  it('keeps renames from a section of the file to a dotted path (e2e/test/config.int.spec.ts runs each through its service)', () => {
    for (const [from, to] of Object.entries(renamedSettings)) {
      expect(sitewatchSections).toContain(from.split('/')[1]);
      expect(to).toMatch(/^[a-z]+(\.[A-Za-z][A-Za-z0-9]*)+$/);
    }
  });

  it('treats the strings the schema marks secret as secrets, inline too; a value that may be one (a header) when long enough', () => {
    const file = write('marked.yaml', 'kafka:\n  brokers: [a]\nhook:\n  url: https://hooks.test/T0/B0/inline-path\n  headers: { authorization: Bearer inline-token, x-tenant: acme-eu, x-version: "2" }\n');
    expect(loadConfig(file, { schema, env: {} }).secrets.sort()).toEqual(['Bearer inline-token', 'acme-eu', 'https://hooks.test/T0/B0/inline-path']);
  });

  it('refuses a secret shorter than 4 characters where it is written, whatever made it a secret; an empty value is none', () => {
    const file = write(
      'short.yaml',
      [
        'kafka:',
        '  brokers: ["${env:BROKER}"]',
        '  sasl: { password: abc }',
        'postgres:',
        '  url: "postgres://u:pw@db/${env:EMPTY}"',
        'hook:',
        '  url: https://hooks.test/x',
        '  headers: { x-version: "2", x-api-key: "ab", x-token: "${env:EMPTY}" }',
      ].join('\n'),
    );
    const tooShort = 'a secret must be at least 4 characters: a shorter one cannot be scrubbed from logs';
    expect(problemsOf(() => loadConfig(file, { schema, env: { BROKER: 'b:1', EMPTY: '' } }))).toEqual([
      { path: '/kafka/sasl/password', message: tooShort },
      { path: '/hook/headers/x-api-key', message: tooShort },
      { path: '/postgres/url', message: tooShort },
      { path: '/kafka/brokers/0', message: `${tooShort} (\${env:} and \${file:} give secrets: write a value that is none inline)` },
    ]);
    const empty = write('empty.yaml', 'kafka:\n  brokers: [a]\n  sasl: { password: "" }\npostgres:\n  url: "postgres://u:${env:EMPTY}@db/x"\n');
    expect(loadConfig(empty, { schema, env: { EMPTY: '' } }).secrets).toEqual([]);
  });

  it('takes relative ...File paths from the config file folder', () => {
    const file = write('files.yaml', 'kafka:\n  brokers: [a]\n  tls: { caFile: certs/ca.pem }\n');
    expect(loadConfig<{ kafka: { tls: { caFile: string } } }>(file, { schema, env: {} }).config.kafka.tls.caFile).toBe(path.join(dir, 'certs/ca.pem'));
  });

  it('takes the fallback of ${env:NAME:-fallback} when NAME is unset or empty, and records no secret for it', () => {
    const file = write('fallback.yaml', 'kafka:\n  brokers: ["${env:BROKER:-127.0.0.1:19092}"]\npostgres:\n  url: "${env:DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"\n');
    type Loaded = { kafka: { brokers: string[] }; postgres: { url: string } };
    const fallen = loadConfig<Loaded>(file, { schema, env: { DATABASE_URL: '' } });
    expect(fallen).toEqual({ config: { kafka: { brokers: ['127.0.0.1:19092'], topic: 'checks' }, postgres: { url: 'postgres://postgres@127.0.0.1:5432/postgres' } }, secrets: [] });
    const given = loadConfig<Loaded>(file, { schema, env: { BROKER: 'broker:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:55432/postgres' } });
    expect(given.config).toEqual({ kafka: { brokers: ['broker:9092'], topic: 'checks' }, postgres: { url: 'postgres://postgres@127.0.0.1:55432/postgres' } });
    expect(given.secrets.sort()).toEqual(['broker:9092', 'postgres://postgres@127.0.0.1:55432/postgres']);
  });

  it('names a missing environment variable, and never its would-be value', () => {
    const file = write('missing.yaml', 'kafka:\n  brokers: ["${env:NOPE}"]\n');
    expect(problemsOf(() => loadConfig(file, { schema, env: {} }))).toEqual([{ path: '/kafka/brokers/0', message: 'environment variable NOPE is not set' }]);
  });

  it('resolves and returns only the sections a service reads; the others keep their references', () => {
    const file = write(
      'shared.yaml',
      'kafka:\n  brokers: ["${env:BROKER}"]\npostgres:\n  url: "postgres://u:${env:PGPASSWORD}@db/${file:nowhere.txt}"\ntargets:\n  - url: https://u:inline-pw@x.test/\n',
    );
    const { config, secrets } = loadConfig(file, { schema, env: { BROKER: 'b:9092' }, sections: ['kafka'] });
    expect(config).toEqual({ kafka: { brokers: ['b:9092'], topic: 'checks' } });
    expect(secrets).toEqual(['b:9092']);
    // Its own references are still required, and the others' are not reported.
    expect(problemsOf(() => loadConfig(file, { schema, env: {}, sections: ['kafka'] }))).toEqual([{ path: '/kafka/brokers/0', message: 'environment variable BROKER is not set' }]);
    expect(problemsOf(() => loadConfig(file, { schema, env: { BROKER: 'b:9092' } }))).toEqual([
      { path: '/postgres/url', message: 'environment variable PGPASSWORD is not set' },
      { path: '/postgres/url', message: 'cannot read file nowhere.txt' },
    ]);
  });

  it('runs the extra check only on a schema-valid config', () => {
    const check = (config: { kafka: { brokers: string[] } }) =>
      config.kafka.brokers.length > 1 ? [] : [{ path: '/kafka/brokers', message: 'needs two brokers for this test' }];
    expect(problemsOf(() => loadConfig(write('check.yaml', 'kafka:\n  brokers: [a]\n'), { schema, env: {}, check: check }))).toEqual([
      { path: '/kafka/brokers', message: 'needs two brokers for this test' },
    ]);
  });
});
