import { describe, expect, it } from '@jest/globals';
import { describeUrl, planConnection, urlHosts } from './connection.js';

const files: Record<string, string> = { '/etc/pg/ca.pem': 'CA FROM FILE', '/etc/pg/root.pem': 'ROOT FROM URL' };
const readFile = (file: string) => {
  const content = files[file];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return content;
};
const base = 'postgres://writer:s3cret@db.example:5432/monitor';

describe('planConnection', () => {
  it('uses no TLS unless asked', () => {
    expect(planConnection(base, undefined, readFile)).toMatchObject({ url: base, mode: 'disable', ssl: false });
  });

  it("reads libpq's sslmode and sslrootcert from the URL and removes them from it", () => {
    const plan = planConnection(`${base}?sslmode=verify-full&sslrootcert=/etc/pg/root.pem&application_name=x`, undefined, readFile);
    expect(plan.url).toBe(`${base}?application_name=x`);
    expect(plan.mode).toBe('verify-full');
    expect(plan.ssl).toMatchObject({ rejectUnauthorized: true, ca: 'ROOT FROM URL', checkServerIdentity: expect.any(Function) });
  });

  it('verifies against the CA file with verify-full, and against the system CAs without one', () => {
    expect(planConnection(base, { mode: 'verify-full', caFile: '/etc/pg/ca.pem' }, readFile).ssl).toMatchObject({ ca: 'CA FROM FILE', rejectUnauthorized: true });
    const system = planConnection(base, { mode: 'verify-full' }, readFile).ssl;
    expect(system).toMatchObject({ rejectUnauthorized: true });
    expect(system && 'ca' in system).toBe(false);
    expect(planConnection(`${base}?sslrootcert=system`, undefined, readFile).mode).toBe('verify-full');
  });

  it('turns on verify-full when only a CA is given, as libpq does with sslrootcert', () => {
    expect(planConnection(base, { ca: 'INLINE CA' }, readFile)).toMatchObject({ mode: 'verify-full', ssl: { ca: 'INLINE CA' } });
  });

  it('skips only the host name check with verify-ca, and all checks with require', () => {
    const verifyCa = planConnection(base, { mode: 'verify-ca', ca: 'CA' }, readFile).ssl as { checkServerIdentity: () => unknown };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(planConnection(base, { mode: 'require' }, readFile).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('refuses conflicting or unsupported settings', () => {
    expect(() => planConnection(`${base}?sslmode=require`, { mode: 'verify-full' }, readFile)).toThrow("ssl.mode differs from the URL's sslmode");
    expect(() => planConnection(`${base}?sslrootcert=/etc/pg/root.pem`, { caFile: '/etc/pg/ca.pem' }, readFile)).toThrow(/keep one/);
    expect(() => planConnection(`${base}?sslmode=prefer`, undefined, readFile)).toThrow('url sslmode must be one of: disable, require, verify-ca, verify-full');
    expect(() => planConnection(`${base}?sslcert=/c.pem&sslkey=/k.pem`, undefined, readFile)).toThrow(/client certificates/);
  });

  it('reports a CA file it cannot read by path and errno, not by content', () => {
    expect(() => planConnection(base, { mode: 'verify-full', caFile: '/missing.pem' }, readFile)).toThrow('ssl.caFile cannot be read (ENOENT): /missing.pem');
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
