// A group member in a process of its own, for tests that kill it: `node --import tsx
// member-process.ts '<json>'` with `{ kind: 'subscriber' | 'registry', options }`. It prints
// `started` once it is in the group and runs until it is killed.
import { createRegistryMember, createSubscriber, type RegistryMemberOptions, type SubscriberOptions } from '../src/index.js';

const { kind, options } = JSON.parse(process.argv[2]!) as { kind: 'subscriber' | 'registry'; options: SubscriberOptions & RegistryMemberOptions };
const member =
  kind === 'subscriber'
    ? createSubscriber({ ...options, handleBatch: async () => undefined })
    : createRegistryMember({ ...options, listener: { assigned: () => undefined, revoked: () => undefined, record: () => undefined } });
await member.start();
process.stdout.write('started\n');
setInterval(() => undefined, 60_000);
