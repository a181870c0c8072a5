// The real services for a jest run (loaded by global-setup.mjs): KAFKA_BROKERS and
// DATABASE_URL when both are set, used as they are; otherwise the local stack (tools/stack),
// started if it is not running. Workers inherit the environment set here. The returned
// function stops what this started.
import { brokerIsUp, stackDown, stackEnv, stackUp } from '../stack/stack.js';

type Stop = () => Promise<unknown>;

export async function provideServices(): Promise<Stop | undefined> {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) return undefined;
  const wasUp = await brokerIsUp();
  Object.assign(process.env, stackEnv(await stackUp()));
  return wasUp ? undefined : stackDown;
}
