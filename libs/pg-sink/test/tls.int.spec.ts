// TLS to PostgreSQL as a hosted service offers it (Aiven: sslmode=verify-full with the
// project's ca.pem), against a throwaway cluster that refuses unencrypted connections.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { noopLogger, type Logger } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSink, type SinkOptions } from '../src/index.js';
import { startTlsPostgres, type TlsPostgres } from '../../../tools/testing/tls-postgres.js';

let pg: TlsPostgres;

beforeAll(async () => {
  pg = await startTlsPostgres();
}, 60_000);

afterAll(() => pg?.close());

const url = (host = '127.0.0.1', query = '') => `postgres://postgres:${pg.password}@${host}:${pg.port}/postgres${query}`;

async function attempt(options: SinkOptions): Promise<unknown> {
  const sink = createSink({ connectTimeoutMs: 5000, ...options });
  try {
    return await sink.migrate();
  } catch (error) {
    return error;
  } finally {
    await sink.close();
  }
}

function expectNoSecret(error: unknown): void {
  expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain(pg.password);
}

describe('TLS to PostgreSQL', () => {
  it('connects with verify-full and the CA file, and stores results', async () => {
    const sink = createSink({ url: url(), ssl: { mode: 'verify-full', caFile: pg.caFile } });
    try {
      expect(await sink.migrate()).toMatchObject({ version: 8 });
      expect(await sink.write([makeCheckResult()])).toMatchObject({ inserted: 1 });
    } finally {
      await sink.close();
    }
  });

  it("takes libpq's sslmode and sslrootcert from the URL", async () => {
    expect(await attempt({ url: url('127.0.0.1', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(pg.caFile)}`) })).toMatchObject({ version: 8 });
  });

  it('fails fast with a TLS error, naming the certificate problem and no secret, when the CA is not the one', async () => {
    const started = Date.now();
    const error = await attempt({ url: url(), ssl: { mode: 'verify-full', caFile: pg.otherCaFile } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toMatchObject({ name: 'SinkError', code: 'ERR_SINK_TLS', retriable: false });
    expect((error as Error).message).toMatch(/TLS handshake with PostgreSQL failed \(certificate or TLS settings\).*certificate/);
    expectNoSecret(error);
  });

  it('checks the host name with verify-full, not with verify-ca', async () => {
    const error = await attempt({ url: url('127.0.0.2'), ssl: { mode: 'verify-full', caFile: pg.caFile } });
    expect(error).toMatchObject({ code: 'ERR_SINK_TLS', message: expect.stringMatching(/127\.0\.0\.2.*ERR_TLS_CERT_ALTNAME_INVALID/) });
    expectNoSecret(error);
    expect(await attempt({ url: url('127.0.0.2'), ssl: { mode: 'verify-ca', caFile: pg.caFile } })).toMatchObject({ version: 8 });
  });

  it('encrypts without verifying with require, and says so in a warning', async () => {
    const warn = jest.fn();
    const logger: Logger = { ...noopLogger, warn, child: () => logger };
    expect(await attempt({ url: url(), ssl: { mode: 'require' }, logger })).toMatchObject({ version: 8 });
    expect(warn).toHaveBeenCalledWith({ database: `127.0.0.1:${pg.port}/postgres` }, expect.stringMatching(/without server verification/));
  });

  it('is refused by a server that requires it when TLS is off, as an authentication error', async () => {
    const error = await attempt({ url: url(), ssl: { mode: 'disable' } });
    expect(error).toMatchObject({ code: 'ERR_SINK_AUTH', retriable: false, sqlState: '28000' });
    expectNoSecret(error);
  });
});
