import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Counter, Registry } from 'prom-client';
import { startOpsServer, type OpsServer } from './ops-server.js';

const registry = new Registry();
const checks = new Counter({ name: 'sitewatch_test_checks_total', help: 'checks', labelNames: ['outcome'], registers: [registry] });
const readiness = { kafka: false, postgres: true };
let server: OpsServer;

beforeAll(async () => {
  server = await startOpsServer({ port: 0, host: '127.0.0.1', registry, readiness: () => ({ ...readiness }) });
});
afterAll(() => server.close());

const get = (route: string) => fetch(`http://127.0.0.1:${server.port}${route}`);

describe('ops server', () => {
  it('serves Prometheus metrics', async () => {
    checks.inc({ outcome: 'up' }, 3);
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('sitewatch_test_checks_total{outcome="up"} 3');
  });

  it('answers /healthz while the process runs', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });

  it('is ready only when every dependency is', async () => {
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, checks: { kafka: false, postgres: true } });
    readiness.kafka = true;
    expect((await get('/readyz')).status).toBe(200);
  });

  it('answers 404 for anything else', async () => {
    expect((await get('/nope')).status).toBe(404);
  });

  it('closes idempotently', async () => {
    const other = await startOpsServer({ port: 0, host: '127.0.0.1', registry, readiness: () => ({}) });
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
  });
});
