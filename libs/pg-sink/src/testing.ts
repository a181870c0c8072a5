// Test helpers (entry point `@sitewatch/pg-sink/testing`): a fresh database per test
// file on the PostgreSQL server the test run provides (DATABASE_URL, exported by the
// jest global set-up in tools/jest), dropped afterwards.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** A database of its own for one test file. */
export interface TestPostgres {
  /** Connection URL of the fresh database. */
  url: string;
  /** A client connected to it. */
  sql: postgres.Sql;
  /** Closes the client and drops the database. Idempotent. */
  close(): Promise<void>;
}

/** Creates a database `t_<random>` and returns a client for it. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("DATABASE_URL is not set: run the tests through jest's global set-up (tools/jest) or set it yourself");
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  // The name is generated above from hex digits only, so it is safe as an identifier.
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { onnotice: () => undefined });
  let closing: Promise<void> | undefined;

  return {
    url: url.toString(),
    sql,
    close() {
      closing ??= (async () => {
        await sql.end({ timeout: 5 });
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end({ timeout: 5 });
      })();
      return closing;
    },
  };
}
