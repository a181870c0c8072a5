// PostgreSQL in a container, through testcontainers, for a machine with a Docker engine and
// no PostgreSQL server (SITEWATCH_POSTGRES=container): the jest set-up starts a postgres:15
// container for its run and removes it afterwards; Kafka stays the local broker (the fault
// tests start brokers of their own from the same jars). Not run by CI: the machines CI runs
// on have no Docker engine.
import { PostgreSqlContainer } from '@testcontainers/postgresql';

/** Whether PostgreSQL is to come from a container (and DATABASE_URL does not name one). */
export function postgresFromContainer(): boolean {
  return process.env.SITEWATCH_POSTGRES === 'container' && !process.env.DATABASE_URL;
}

/** Starts a postgres:15 container; its URL, and how to remove it. */
export async function startPostgresContainer(): Promise<{ databaseUrl: string; stop(): Promise<void> }> {
  const container = await new PostgreSqlContainer('postgres:15-alpine').start();
  return {
    databaseUrl: container.getConnectionUri(),
    async stop() {
      await container.stop();
    },
  };
}
