import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeUrl, planConnection, urlHosts } from './connection.js';
import type { ResolvedSinkOptions } from './options.js';

const base = 'postgres://writer:s3cret@db.example:5432/monitor';
let dir: string;
let caFile: string;
let rootFile: string;
let notPemFile: string;
const caPem = '-----BEGIN CERTIFICATE-----\nCA FROM FILE\n-----END CERTIFICATE-----\n';
const rootPem = '-----BEGIN CERTIFICATE-----\nROOT FROM URL\n-----END CERTIFICATE-----\n';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-sink-connection-'));
  caFile = path.join(dir, 'ca.pem');
  rootFile = path.join(dir, 'root.pem');
  notPemFile = path.join(dir, 'not.pem');
  fs.writeFileSync(caFile, caPem);
  fs.writeFileSync(rootFile, rootPem);
  fs.writeFileSync(notPemFile, 'not a certificate');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The plan, which must come without problems. */
function plan(url: string, ssl?: ResolvedSinkOptions['ssl']) {
  const answer = planConnection(url, ssl);
  expect(answer.problems).toEqual([]);
  return answer.plan!;
}
const problems = (url: string, ssl?: ResolvedSinkOptions['ssl']) => planConnection(url, ssl).problems;

describe('planConnection', () => {
  it('uses no TLS unless asked', () => {
    expect(plan(base)).toMatchObject({ url: base, mode: 'disable', ssl: false });
  });

  it("reads libpq's sslmode and sslrootcert from the URL and removes them from it", () => {
    const fromUrl = plan(`${base}?sslmode=verify-full&sslrootcert=${rootFile}&application_name=x`);
    expect(fromUrl.url).toBe(`${base}?application_name=x`);
    expect(fromUrl.mode).toBe('verify-full');
    expect(fromUrl.ssl).toMatchObject({ rejectUnauthorized: true, ca: rootPem, checkServerIdentity: expect.any(Function) });
  });

  it('verifies against the CA file with verify-full, and against the system CAs without one', () => {
    expect(plan(base, { mode: 'verify-full', caFile }).ssl).toMatchObject({ ca: caPem, rejectUnauthorized: true });
    const system = plan(base, { mode: 'verify-full' }).ssl;
    expect(system).toMatchObject({ rejectUnauthorized: true });
    expect(system && 'ca' in system).toBe(false);
    expect(plan(`${base}?sslrootcert=system`).mode).toBe('verify-full');
  });

  it('turns on verify-full when only a CA is given, as libpq does with sslrootcert', () => {
    expect(plan(base, { ca: 'INLINE CA' })).toMatchObject({ mode: 'verify-full', ssl: { ca: 'INLINE CA' } });
  });

  it('skips only the host name check with verify-ca, and all checks with require', () => {
    const verifyCa = plan(base, { mode: 'verify-ca', ca: 'CA' }).ssl as { checkServerIdentity: () => unknown };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(plan(base, { mode: 'require' }).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('refuses conflicting or unsupported settings', () => {
    expect(problems(`${base}?sslmode=require`, { mode: 'verify-full' })).toEqual([{ path: '/ssl/mode', message: "differs from the URL's sslmode" }]);
    expect(problems(`${base}?sslrootcert=${rootFile}`, { caFile })).toEqual([{ path: '/ssl', message: "sets a CA and so does the URL's sslrootcert: keep one" }]);
    expect(problems(`${base}?sslmode=prefer`)).toEqual([{ path: '/url', message: 'sslmode must be one of: disable, require, verify-ca, verify-full' }]);
    expect(problems(`${base}?sslcert=/c.pem&sslkey=/k.pem`)).toEqual([{ path: '/url', message: 'client certificates (sslcert, sslkey) are not supported' }]);
  });

  it('reports a CA file it cannot read, or that is not PEM, by path, not by content', () => {
    expect(problems(base, { mode: 'verify-full', caFile: '/missing.pem' })).toEqual([{ path: '/ssl/caFile', message: 'cannot read /missing.pem (ENOENT)' }]);
    expect(problems(`${base}?sslrootcert=/missing.pem`)).toEqual([{ path: '/url', message: 'sslrootcert: cannot read /missing.pem (ENOENT)' }]);
    expect(problems(base, { mode: 'verify-ca', caFile: notPemFile })).toEqual([{ path: '/ssl/caFile', message: `${notPemFile} is not PEM (no "-----BEGIN" line)` }]);
    expect(problems(`${base}?sslrootcert=${notPemFile}`)).toEqual([{ path: '/url', message: `sslrootcert: ${notPemFile} is not PEM (no "-----BEGIN" line)` }]);
  });

  it('refuses a CA under require or disable, which would not use it, rather than ignore it', () => {
    const unused = (mode: string) => `is not used with sslmode ${mode}, which does not verify the server: set mode verify-full (or verify-ca), or remove it`;
    expect(problems(base, { mode: 'require', caFile })).toEqual([{ path: '/ssl/caFile', message: unused('require') }]);
    expect(problems(base, { mode: 'require', caFile: '/missing.pem' })).toEqual([{ path: '/ssl/caFile', message: unused('require') }]);
    expect(problems(base, { mode: 'disable', ca: 'INLINE CA' })).toEqual([{ path: '/ssl/ca', message: unused('disable') }]);
    expect(problems(`${base}?sslmode=require&sslrootcert=${rootFile}`)).toEqual([{ path: '/url', message: `sslrootcert ${unused('require')}` }]);
    expect(problems(`${base}?sslmode=require&sslrootcert=system`)).toEqual([{ path: '/url', message: `sslrootcert ${unused('require')}` }]);
  });
});

describe('describeUrl and urlHosts', () => {
  it('show host, port and database, never user, password or parameters', () => {
    expect(describeUrl(`${base}?sslmode=verify-full`)).toBe('db.example:5432/monitor');
    expect(describeUrl('postgres://u:p@ss/w@h/db')).toBe('h/db');
  });

  it('list the hosts of single-host, multi-host and IPv6 URLs', () => {
    expect(urlHosts(base)).toEqual(['db.example']);
    expect(urlHosts('postgres://u:p@a.example:5432,b.example:5433/db')).toEqual(['a.example', 'b.example']);
    expect(urlHosts('postgresql://[::1]:5432/db')).toEqual(['::1']);
    expect(urlHosts('postgres://127.0.0.1/db')).toEqual(['127.0.0.1']);
  });
});
