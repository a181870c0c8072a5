import { describe, expect, it } from '@jest/globals';
import { checkRegistryOptions, registryDefaults, resolveRegistryMemberOptions, resolveRegistryOptions, type RegistryMemberOptions } from './registry-options.js';

const listener = { assigned: () => undefined, revoked: () => undefined, record: () => undefined };
const base: RegistryMemberOptions = { connection: { brokers: ['b:1'] }, groupId: 'sitewatch-checkers-eu', listener };

describe('registry options', () => {
  it('fill in the defaults: the topic, a 10 s session, a heartbeat a fifth of it', () => {
    expect(resolveRegistryMemberOptions(base).settings).toEqual({ groupId: 'sitewatch-checkers-eu', listener, ...registryDefaults, heartbeatIntervalMs: 2000 });
    expect(resolveRegistryMemberOptions({ ...base, sessionTimeoutMs: 60_000 }).settings.heartbeatIntervalMs).toBe(3000);
    expect(resolveRegistryOptions({ connection: base.connection })).toMatchObject({ topic: 'sitewatch.targets' });
  });

  it.each([
    ['a heartbeat longer than a third of the session', { sessionTimeoutMs: 6000, heartbeatIntervalMs: 2500 }, '/heartbeatIntervalMs', /^must be at most a third of sessionTimeoutMs \(6000\)/],
    ['a topic created with another cleanup policy', { createTopic: { partitions: 6, replicationFactor: 3, config: { 'cleanup.policy': 'delete' } } }, '/createTopic/config/cleanup.policy', /^must be compact/],
    ['no group', { groupId: '' }, '/groupId', 'must NOT have fewer than 1 characters'],
    ['no listener', { listener: undefined }, '/listener', 'is required'],
    ['a session shorter than a lease can be', { sessionTimeoutMs: 1000 }, '/sessionTimeoutMs', 'must be >= 3000'],
  ])('of a member refuse %s', (_name, overrides, path, message) => {
    const options = { ...base, ...overrides } as RegistryMemberOptions;
    expect(() => resolveRegistryMemberOptions(options)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', problems: [{ path, message: typeof message === 'string' ? message : expect.stringMatching(message) }] }));
  });

  it('of a config file are checked without a group or listener, by the same rules', () => {
    expect(checkRegistryOptions({ connection: base.connection, sessionTimeoutMs: 6000, heartbeatIntervalMs: 2500 })).toEqual([
      { path: '/heartbeatIntervalMs', message: expect.stringMatching(/^must be at most a third/) },
    ]);
    expect(checkRegistryOptions({ connection: { brokers: ['b'] } })).toEqual([{ path: '/connection/brokers/0', message: expect.stringMatching(/^must match pattern/) }]);
  });
});
