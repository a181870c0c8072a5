// npm run stack:fetch | stack:up | stack:down | stack:status; `tsx tools/stack/cli.ts env`
import { redactUrl } from './postgres.js';
import { stackDown, stackEnv, stackFetch, stackStatus, stackUp } from './stack.js';

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'fetch':
      console.log(`Kafka ${stackFetch()}: jars resolved`);
      return;
    case 'up': {
      const started = Date.now();
      const info = await stackUp();
      console.log(`Kafka ${info.kafka.version}: PLAINTEXT ${info.kafka.brokers.join(',')}, SSL ${info.kafka.sslBrokers.join(',')}`);
      console.log(`  client certificates: ${info.kafka.ssl.caFile}, service.cert, service.key`);
      console.log(`  log: ${info.kafka.logFile}`);
      console.log(`PostgreSQL: ${info.databaseUrl === undefined ? 'a postgres:15 container per test run (SITEWATCH_POSTGRES=container)' : redactUrl(info.databaseUrl)}`);
      console.log(`ready in ${Date.now() - started} ms`);
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
      console.error('usage: tsx tools/stack/cli.ts fetch|up|down|status|env');
      process.exitCode = 64;
  }
}

main(process.argv[2]).catch((error: Error) => {
  console.error(`stack ${process.argv[2]}: ${error.message}`);
  process.exitCode = 1;
});
