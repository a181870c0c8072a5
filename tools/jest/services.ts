// The real services for a jest run (loaded by global-setup.mjs), in this order of preference:
// 1. KAFKA_BROKERS and DATABASE_URL already set: used as they are;
// 2. SITEWATCH_STACK=containers: Kafka and PostgreSQL containers (needs Docker);
// 3. otherwise the local stack (tools/stack), started if it is not running.
// Workers inherit the environment set here. The returned function stops what this started.
import { brokerIsUp, stackDown, stackEnv, stackUp } from '../stack/stack.js';

type Stop = () => Promise<unknown>;

export async function provideServices(): Promise<Stop | undefined> {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) return undefined;
  if (process.env.SITEWATCH_STACK === 'containers') {
    // Loaded only here: testcontainers is heavy, and unused without Docker.
    const { startContainers } = await import('../stack/containers.js');
    const containers = await startContainers();
    Object.assign(process.env, stackEnv(containers.info));
    return containers.stop;
  }
  const wasUp = await brokerIsUp();
  Object.assign(process.env, stackEnv(await stackUp()));
  return wasUp ? undefined : stackDown;
}
