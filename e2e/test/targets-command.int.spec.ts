// sitewatch-targets as a process against the real broker: apply makes the registry hold
// exactly the file's targets and prints the diff (a dry run writes nothing), list and delete,
// and the exit codes: 0 done, 1 a failure at run time, 2 a bad command line, config or targets file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readRegistry } from '@sitewatch/kafka-transport';
import { decodeTarget } from '@sitewatch/schema';
import { startFleet, type Fleet } from './support/fleet.js';
import { startApp, writeConfig } from './support/processes.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet(['cli']);
}, 60_000);

afterAll(() => fleet?.close());

const target = (id: string, settings: Record<string, unknown> = {}) => ({ id, url: `https://${id}.example.test/`, ...settings });
const registry = async () =>
  Object.fromEntries((await readRegistry({ connection: fleet.kafka.connection(), topic: fleet.registryTopic })).map((r) => [r.key!, decodeTarget(r.value, r.key!)] as const));

describe('sitewatch-targets', () => {
  it('applies a file: upserts what changed, removes what is gone, leaves the rest, and prints the diff', async () => {
    const first = fleet.targetsFile([target('a'), target('b'), target('c', { headers: { authorization: 'Bearer ${env:API_TOKEN}' } })], { intervalMs: 30_000 });
    const env = { API_TOKEN: 'token-5678' };
    const dryRun = await fleet.targets(['apply', first, '--dry-run'], env);
    expect(dryRun).toMatchObject({ code: 0, output: expect.stringContaining('3 added, 0 changed, 0 removed, 0 unchanged (dry run: nothing written)') });
    expect(await registry()).toEqual({});

    // The secret comes from the environment of the command; the diff never shows a header value.
    const applied = await fleet.targets(['apply', first], env);
    expect(applied.code).toBe(0);
    expect(applied.output).toContain(['+ a https://a.example.test/', '+ b https://b.example.test/', '+ c https://c.example.test/', '3 added, 0 changed, 0 removed, 0 unchanged'].join('\n'));
    expect(applied.output).not.toContain('token-5678');
    const written = await registry();
    expect(written.c).toEqual({ ok: true, value: expect.objectContaining({ id: 'c', intervalMs: 30_000, timeoutMs: 10_000, method: 'GET', headers: { authorization: 'Bearer token-5678' } }) });

    const second = fleet.targetsFile([target('a'), target('b', { intervalMs: 60_000 }), target('d')], { intervalMs: 30_000 });
    const changed = await fleet.targets(['apply', second]);
    expect(changed.code).toBe(0);
    expect(changed.output).toContain(['~ b: intervalMs', '- c', '+ d https://d.example.test/', '1 added, 1 changed, 1 removed, 1 unchanged'].join('\n'));
    expect(Object.keys(await registry()).sort()).toEqual(['a', 'b', 'd']);
    expect(await fleet.targets(['apply', second])).toMatchObject({ code: 0, output: expect.stringContaining('0 added, 0 changed, 0 removed, 3 unchanged') });
  });

  it('lists the registry and deletes one target; deleting one it does not hold fails with exit 1', async () => {
    expect(await fleet.targets(['apply', fleet.targetsFile([target('a'), target('b', { intervalMs: 60_000 }), target('d')], { intervalMs: 30_000 })])).toMatchObject({ code: 0 });
    const listed = await fleet.targets(['list']);
    expect(listed).toMatchObject({ code: 0, output: expect.stringContaining('a https://a.example.test/ every 30 s\nb https://b.example.test/ every 60 s\nd https://d.example.test/ every 30 s\n3 target(s)') });
    expect(await fleet.targets(['delete', 'b'])).toMatchObject({ code: 0, output: expect.stringContaining('- b') });
    expect(Object.keys(await registry()).sort()).toEqual(['a', 'd']);
    expect(await fleet.targets(['delete', 'b'])).toMatchObject({ code: 1, output: expect.stringContaining('target b is not in the registry') });
  });

  it('exits 2 for a bad command line, a bad targets file or a config without a registry, naming what is wrong', async () => {
    for (const args of [[], ['apply'], ['list', '--dry-run'], ['remove', 'a'], ['apply', 'x.yaml', '--force']]) {
      expect(await fleet.targets(args)).toMatchObject({ code: 2, output: expect.stringContaining('usage: sitewatch-targets') });
    }
    const bad = fleet.targetsFile([target('a', { mustMatch: '(unclosed' }), { id: 'b', url: 'ftp://b.test/' }]);
    const refused = await fleet.targets(['apply', bad]);
    expect(refused).toMatchObject({ code: 2, output: expect.stringMatching(/invalid targets file .*\n {2}\/targets\/1\/url: must match pattern/) });
    const noRegistry = writeConfig({ kafka: { ...fleet.kafka.connection(), topic: 'results' }, checker: { targets: [target('a')] } });
    const command = startApp('targets', ['list', '--config', noRegistry]);
    expect(await command.exited).toBe(2);
    expect(command.output()).toContain('/checker/registry: is required');
  });
});
