import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { noopLogger } from '@sitewatch/schema';
import { Kafka } from 'kafkajs';
import { createInstanceTracker, instanceProblems } from './instance.js';
import { currentIdentity } from './process-identity.js';

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function setUp() {
  const stateDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-instance-'));
  directories.push(stateDirectory);
  // Never connected: these cases decide before any request.
  const kafka = new Kafka({ brokers: ['127.0.0.1:1'] });
  const tracker = createInstanceTracker({ kafka, groupId: 'writers/1', instance: { name: 'w1', stateDirectory }, logger: noopLogger });
  return { stateDirectory, tracker, file: path.join(stateDirectory, 'w1.writers%2F1.member.json') };
}

describe('createInstanceTracker', () => {
  it('keeps the member id of each join in a file named by instance and group, and forgets it after leaving', () => {
    const { tracker, file } = setUp();
    tracker.joined('member-a');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ ...currentIdentity(), groupId: 'writers/1', memberId: 'member-a' });
    tracker.joined('member-b');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ memberId: 'member-b' });
    tracker.left();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses to take the place of a run that still runs, naming its pid', async () => {
    const { tracker, file } = setUp();
    fs.writeFileSync(file, JSON.stringify({ ...currentIdentity(), pid: process.ppid, startTicks: undefined, groupId: 'writers/1', memberId: 'm' }));
    await expect(tracker.join(async () => undefined)).rejects.toMatchObject({ code: 'ERR_TRANSPORT_IN_USE', retriable: false, message: expect.stringContaining(`process ${process.ppid}`) });
  });

  it('leaves alone a member of another host, of another group, or a file it did not write', async () => {
    const { tracker, file } = setUp();
    for (const content of [
      JSON.stringify({ ...currentIdentity(), host: 'elsewhere', groupId: 'writers/1', memberId: 'm' }),
      JSON.stringify({ ...currentIdentity(), pid: process.ppid, groupId: 'other', memberId: 'm' }),
      'not json',
    ]) {
      fs.writeFileSync(file, content);
      await expect(tracker.join(async () => undefined)).resolves.toBeUndefined();
    }
  });
});

describe('instanceProblems', () => {
  it('names a state directory that cannot be written', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-instance-')), 'a-file');
    directories.push(path.dirname(file));
    fs.writeFileSync(file, '');
    expect(instanceProblems({ name: 'w1', stateDirectory: path.join(file, 'below') })).toEqual([{ path: '/instance/stateDirectory', message: `cannot write to ${path.join(file, 'below')} (ENOTDIR)` }]);
    expect(instanceProblems({ name: 'w1', stateDirectory: file })).toEqual([{ path: '/instance/stateDirectory', message: `${file} is not a directory` }]);
    expect(instanceProblems({ name: 'w1', stateDirectory: path.join(path.dirname(file), 'new', 'dir') })).toEqual([]);
  });
});
