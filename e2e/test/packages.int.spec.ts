// The libraries as a stranger gets them: every lib packed with `npm pack`, the tarballs
// installed into a scratch project outside the workspace, a small program and each
// README's example type-checked against them (strict, module nodenext), and the program run
// against the test run's Kafka and PostgreSQL. The scratch folder, the database and the
// topic are removed afterwards.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { decode, type CheckResult } from '@sitewatch/schema';
import { cleanEnv, installPacked, root, type Packed } from './support/packages.js';

const run = promisify(execFile);
const libs = fs.readdirSync(path.join(root, 'libs')).sort();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let scratch: string;
let packed: Packed[];
let kafka: TestKafka | undefined;
let pg: TestPostgres | undefined;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-packages-'));
  const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  packed = await installPacked(
    scratch,
    libs.map((lib) => `libs/${lib}`),
    { '@types/node': rootPackage.devDependencies['@types/node']! },
  );
  const project = path.join(scratch, 'project');
  for (const file of ['main.ts', 'tsconfig.json']) fs.copyFileSync(path.join(root, 'e2e/scratch-project', file), path.join(project, file));
}, 180_000);

afterAll(async () => {
  await Promise.all([kafka?.close(), pg?.close()]);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('the packed libraries', () => {
  it('hold the build, its sources, the README and the LICENSE, and nothing else', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(libs.map((lib) => `@sitewatch/${lib}`));
    const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect({
        name: p.name,
        missing: ['README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'src/index.ts'].filter((f) => !files.includes(f)),
        unexpected: files.filter((f) => !/^(dist|src|migrations|schemas)\/|^(package\.json|README\.md|LICENSE)$/.test(f) || /\.spec\.ts$|\.tsbuildinfo$/.test(f)),
      }).toEqual({ name: p.name, missing: [], unexpected: [] });
      const installed = path.join(scratch, 'project/node_modules', p.name);
      expect(fs.readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toBe(license);
    }
  });

  it("ship the messages' JSON Schemas, importable by their subpath and parsed by JSON.parse", () => {
    const schema = packed.find((p) => p.name === '@sitewatch/schema')!;
    const shipped = schema.files.map((f) => f.path).filter((f) => f.startsWith('schemas/'));
    expect(shipped.sort()).toEqual(['schemas/check-result.v1.0.json', 'schemas/check-result.v1.1.json', 'schemas/check-result.v1.json', 'schemas/target-record.v1.json']);
    const project = path.join(scratch, 'project');
    for (const file of shipped) {
      const resolved = createRequire(path.join(project, 'package.json')).resolve(`@sitewatch/schema/${file}`);
      expect(resolved).toBe(path.join(project, 'node_modules/@sitewatch/schema', file));
      expect(JSON.parse(fs.readFileSync(resolved, 'utf8'))).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
    }
    const current = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/@sitewatch/schema/schemas/check-result.v1.json'), 'utf8')) as { properties: { reason: { enum: string[] } } };
    expect(current.properties.reason.enum).toEqual(expect.arrayContaining(['blocked', 'assertion', 'invalid_json']));
  });

  it('have source maps that point at files in the package', () => {
    const missing: string[] = [];
    for (const p of packed) {
      const installed = path.join(scratch, 'project/node_modules', p.name);
      for (const map of p.files.map((f) => f.path).filter((f) => f.endsWith('.map'))) {
        const { sources } = JSON.parse(fs.readFileSync(path.join(installed, map), 'utf8')) as { sources: string[] };
        for (const source of sources) {
          const target = path.resolve(path.dirname(path.join(installed, map)), source);
          if (!target.startsWith(installed + path.sep) || !fs.existsSync(target)) missing.push(`${p.name}/${map} -> ${source}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("type-check a program and each README's example under strict nodenext, and run the program against Kafka and PostgreSQL", async () => {
    const project = path.join(scratch, 'project');
    for (const p of packed) {
      const readme = fs.readFileSync(path.join(project, 'node_modules', p.name, 'README.md'), 'utf8');
      const example = /^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
      expect({ name: p.name, example: example !== undefined }).toEqual({ name: p.name, example: true });
      fs.writeFileSync(path.join(project, `readme-${p.name.split('/')[1]}.ts`), example!);
    }
    await run(process.execPath, [tsc, '-p', project], { cwd: project, env: cleanEnv() }).catch((error: Error & { stdout?: string }) => {
      throw new Error(`the scratch program or a README example does not type-check against the packages:\n${error.stdout ?? error.message}`);
    });
    [kafka, pg] = await Promise.all([startTestKafka(), startTestPostgres()]);
    const topic = await kafka.createTopic({ prefix: 'packages' });
    const { stdout } = await run(process.execPath, ['dist/main.js'], {
      cwd: project,
      env: cleanEnv({ DATABASE_URL: pg.url, KAFKA_BROKERS: kafka.brokers.join(','), TOPIC: topic }),
      timeout: 60_000,
    });
    const seen = JSON.parse(stdout) as { result: CheckResult } & Record<string, unknown>;
    expect(seen.result).toMatchObject({ targetId: 'scratch-site', outcome: 'up', statusCode: 200, regex: { mustMatch: { matched: true } } });
    expect(seen).toMatchObject({
      roundTrip: seen.result,
      written: { inserted: 1, duplicates: 0, expired: 0 },
      summary: { checks: 1, up: 1, uptimePct: 100 },
      published: 1,
      processMetrics: true,
      prettyLoggerError: expect.stringContaining('npm install pino-pretty'),
    });
    const [stored] = await pg.sql<{ target: string; outcome: string }[]>`select target, outcome from sitewatch.results`;
    expect(stored).toEqual({ target: 'scratch-site', outcome: 'up' });
    const [message] = await kafka.readMessages(topic, { atLeast: 1 });
    expect(decode(message!.value)).toEqual({ ok: true, value: seen.result });
  }, 120_000);
});
