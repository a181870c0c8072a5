// Walking skeleton: each test file gets a database of its own on the test run's server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import postgres from 'postgres';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
});

afterAll(() => pg.close());

describe('the test database', () => {
  it('answers queries in a database of its own', async () => {
    const [row] = await pg.sql<{ db: string; sum: number }[]>`select current_database() as db, 1 + 1 as sum`;
    expect(row).toEqual({ db: expect.stringMatching(/^t_[0-9a-f]{12}$/), sum: 2 });
  });

  it('is dropped by close()', async () => {
    const other = await startTestPostgres();
    const name = new URL(other.url).pathname.slice(1);
    await other.close();
    const admin = postgres(process.env.DATABASE_URL as string, { max: 1 });
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    await admin.end();
    expect(rows).toHaveLength(0);
  });
});
