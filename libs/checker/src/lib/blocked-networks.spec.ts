import { describe, expect, it } from '@jest/globals';
import type { LookupFunction } from 'node:net';
import { blockedLiteral, blockingLookup, checkBlockNetworks, compileBlockNetworks, networkBlock } from './blocked-networks.js';
import { checkTarget } from './http-check.js';
import { compileTarget } from './target.js';

describe('checkBlockNetworks', () => {
  it('accepts private, addresses and CIDRs of both families', () => {
    expect(checkBlockNetworks(['private', '10.0.0.0/8', '203.0.113.7', '2001:db8::/32', '::1', '0.0.0.0/0', '::/0'])).toEqual([]);
  });

  it.each([
    ['10.0.0.0/33', 'a prefix longer than an IPv4 address'],
    ['fc00::/129', 'a prefix longer than an IPv6 address'],
    ['10.0.0.0/', 'an empty prefix'],
    ['10.0.0.0/8/8', 'two prefixes'],
    ['10.0.0.0/-1', 'a negative prefix'],
    ['10.0.0/8', 'three octets'],
    ['internal.example.com', 'a name'],
    ['fe80::1%eth0/64', 'an IPv6 zone'],
    ['Private', 'private in capitals'],
  ])('refuses %s (%s), by its index', (entry) => {
    expect(checkBlockNetworks(['private', entry])).toEqual([
      { path: '/1', message: 'must be private, an IP address, or a network in CIDR notation (10.0.0.0/8, fc00::/7)' },
    ]);
  });

  it('reports what is not a list of strings by the schema', () => {
    expect(checkBlockNetworks('private' as never)).toEqual([{ path: '', message: 'must be array' }]);
    expect(checkBlockNetworks(['private', 8, ''] as never)).toEqual([
      { path: '/1', message: 'must be string' },
      { path: '/2', message: 'must NOT have fewer than 1 characters' },
    ]);
  });
});

describe('compileBlockNetworks', () => {
  const block = compileBlockNetworks(['private']);

  it.each([
    ['127.0.0.1', '127.0.0.0/8'],
    ['127.255.0.9', '127.0.0.0/8'],
    ['10.1.2.3', '10.0.0.0/8'],
    ['172.16.0.1', '172.16.0.0/12'],
    ['172.31.255.255', '172.16.0.0/12'],
    ['192.168.1.1', '192.168.0.0/16'],
    ['169.254.169.254', '169.254.169.254/32'],
    ['169.254.1.1', '169.254.0.0/16'],
    ['100.100.100.200', '100.100.100.200/32'],
    ['0.0.0.0', '0.0.0.0/8'],
    ['::1', '::1/128'],
    ['::', '::/128'],
    ['fe80::1', 'fe80::/10'],
    ['fc00::1', 'fc00::/7'],
    ['fd12:3456::1', 'fc00::/7'],
    ['fd00:ec2::254', 'fd00:ec2::254/128'],
    ['::ffff:127.0.0.1', '127.0.0.0/8'],
    ['::ffff:a00:5', '10.0.0.0/8'],
    ['::ffff:169.254.169.254', '169.254.169.254/32'],
  ])('private blocks %s, in %s', (address, network) => {
    expect(block.match(address)).toBe(network);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.64.0.1', '192.0.2.1', '2001:db8::1', '2606:4700::1111', '::ffff:8.8.8.8'])('private lets %s through', (address) => {
    expect(block.match(address)).toBeUndefined();
  });

  it('matches nothing that is not an address (rather than throw inside a lookup)', () => {
    expect(block.match('not-an-address')).toBeUndefined();
  });

  it('names the first network of the list an address is in, as written', () => {
    const mine = compileBlockNetworks(['10.9.0.0/16', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect([mine.match('10.9.1.1'), mine.match('10.1.1.1'), mine.match('2001:db8::5'), mine.match('192.0.2.7'), mine.match('192.0.2.8')]).toEqual([
      '10.9.0.0/16',
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.7/32',
      undefined,
    ]);
  });

  it('throws ERR_CHECKER_INVALID_OPTIONS with the problems under /blockNetworks', () => {
    expect(() => compileBlockNetworks(['private', '10.0.0.0/33'])).toThrow(
      expect.objectContaining({ code: 'ERR_CHECKER_INVALID_OPTIONS', problems: [{ path: '/blockNetworks/1', message: expect.stringMatching(/^must be private/) }] }),
    );
  });

  it('is compiled once per distinct list by networkBlock()', () => {
    expect(networkBlock(['private', '192.0.2.0/24'])).toBe(networkBlock(['private', '192.0.2.0/24']));
    expect(networkBlock(['private'])).not.toBe(networkBlock(['private', '192.0.2.0/24']));
  });
});

describe('blockedLiteral', () => {
  const block = compileBlockNetworks(['private']);

  it('refuses an IP-literal host in a blocked network, brackets or not, and lets names through', () => {
    expect(blockedLiteral(block, '[::1]')).toMatchObject({ code: 'EBLOCKED', message: 'address ::1 is in a blocked network (::1/128)' });
    expect(blockedLiteral(block, '10.0.0.5')).toMatchObject({ code: 'EBLOCKED', message: 'address 10.0.0.5 is in a blocked network (10.0.0.0/8)' });
    expect(blockedLiteral(block, '192.0.2.1')).toBeUndefined();
    expect(blockedLiteral(block, 'localhost')).toBeUndefined();
  });
});

describe('blockingLookup', () => {
  /** A lookup answering `addresses` for every name, as net.connect asks it (`all` or not). */
  const answering =
    (...addresses: string[]): LookupFunction =>
    (_hostname, options, callback) => {
      const found = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      if ((options as { all?: boolean }).all) (callback as (error: null, found: unknown[]) => void)(null, found);
      else callback(null, found[0]!.address, found[0]!.family);
    };
  const lookUp = (lookup: LookupFunction, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) => lookup('site.test', { all }, (error, address) => resolve({ error, address })));
  const block = compileBlockNetworks(['private']);

  it('refuses a name with a blocked address, naming the address and the name', async () => {
    for (const all of [false, true]) {
      const { error } = await lookUp(blockingLookup(answering('10.0.0.5'), block), all);
      expect(error).toMatchObject({ code: 'EBLOCKED', message: 'address 10.0.0.5 of site.test is in a blocked network (10.0.0.0/8)' });
    }
  });

  it('refuses a name with one blocked address among allowed ones, whichever comes first', async () => {
    const { error } = await lookUp(blockingLookup(answering('192.0.2.1', 'fd00::1'), block), true);
    expect(error).toMatchObject({ code: 'EBLOCKED', message: 'address fd00::1 of site.test is in a blocked network (fc00::/7)' });
  });

  it('passes allowed answers and lookup errors on as they are', async () => {
    expect(await lookUp(blockingLookup(answering('192.0.2.1', '2001:db8::1'), block), true)).toEqual({
      error: null,
      address: [
        { address: '192.0.2.1', family: 4 },
        { address: '2001:db8::1', family: 6 },
      ],
    });
    const failing: LookupFunction = (_hostname, _options, callback) => callback(Object.assign(new Error('queryA ENOTFOUND site.test'), { code: 'ENOTFOUND' }), '', 4);
    expect((await lookUp(blockingLookup(failing, block), false)).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('checkTarget with an invalid blockNetworks', () => {
  it('rejects with ERR_CHECKER_INVALID_OPTIONS naming the entry', async () => {
    const target = compileTarget({ id: 'site', url: 'http://192.0.2.1/' });
    await expect(checkTarget(target, { probeId: 'test-probe', blockNetworks: ['private', '10.0.0.0/8', 'intranet'] })).rejects.toMatchObject({
      code: 'ERR_CHECKER_INVALID_OPTIONS',
      problems: [{ path: '/blockNetworks/2', message: expect.stringMatching(/^must be private/) }],
    });
  });
});
