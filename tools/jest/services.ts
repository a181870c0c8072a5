// The real services for a jest run (loaded by global-setup.mjs): KAFKA_BROKERS and
// DATABASE_URL when both are set, used as they are; otherwise the local stack (tools/stack),
// started if it is not running, with PostgreSQL from a container for this run when
// SITEWATCH_POSTGRES=container. Workers inherit the environment set here. The returned
// function stops what this started.
import { postgresFromContainer } from '../stack/postgres-container.js';
import { brokerIsUp, stackDown, stackEnv, stackUp } from '../stack/stack.js';

type Stop = () => Promise<unknown>;

export async function provideServices(): Promise<Stop | undefined> {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) return undefined;
  // Loaded only when asked for: testcontainers is heavy, and unused without Docker.
  const container = postgresFromContainer() ? await (await import('../stack/postgres-container.js')).startPostgresContainer() : undefined;
  if (container) process.env.DATABASE_URL = container.databaseUrl;
  const wasUp = await brokerIsUp();
  Object.assign(process.env, stackEnv(await stackUp()));
  if (wasUp && !container) return undefined;
  return async () => {
    if (!wasUp) await stackDown();
    await container?.stop();
  };
}
