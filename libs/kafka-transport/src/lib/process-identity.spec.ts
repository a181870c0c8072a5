import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { currentIdentity, fateOf, parseIdentity } from './process-identity.js';

describe('fateOf', () => {
  const self = currentIdentity();

  it('knows this process, and a process of the same pid that ran before (a container restarted)', () => {
    expect(fateOf(self, self)).toBe('self');
    expect(fateOf({ ...self, startTicks: '1' }, { ...self, startTicks: '2' })).toBe('gone');
  });

  it('sees a running process (the parent of this one) as running, and an exited one as gone', () => {
    expect(fateOf({ ...self, pid: process.ppid, startTicks: undefined })).toBe('running');
    const exited = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(fateOf({ host: self.host, pid: exited })).toBe('gone');
  });

  it('sees a reused pid (another start time) and a reboot (another boot id) as gone', () => {
    const parent = { ...self, pid: process.ppid };
    if (self.startTicks !== undefined) expect(fateOf({ ...parent, startTicks: '1' })).toBe('gone');
    expect(fateOf({ ...parent, bootId: 'another-boot' }, { ...self, bootId: 'this-boot' })).toBe('gone');
  });

  it('cannot tell for another host', () => {
    expect(fateOf({ ...self, host: `${self.host}-elsewhere` })).toBe('unknown');
  });
});

describe('parseIdentity', () => {
  it('reads back what it wrote, and refuses what is not an identity', () => {
    const self = currentIdentity();
    expect(parseIdentity(JSON.parse(JSON.stringify(self)))).toEqual(self);
    expect(parseIdentity({ host: 'h' })).toBeUndefined();
    expect(parseIdentity({ host: 'h', pid: '12' })).toBeUndefined();
    expect(parseIdentity(null)).toBeUndefined();
  });
});
