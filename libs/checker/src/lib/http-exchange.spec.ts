import { describe, expect, it } from '@jest/globals';
import { networkBlock } from './blocked-networks.js';
import { clientFor, dropCredentialsAcrossSchemes, type ExchangeContext } from './http-exchange.js';
import { createResolver, defaultResolver } from './resolver.js';
import { compileTarget } from './target.js';

describe('dropCredentialsAcrossSchemes', () => {
  const redirect = (from: string, to: string) => {
    const next = { url: new URL(to), headers: { authorization: 'Bearer t', cookie: 'a=b', 'proxy-authorization': 'Basic p', 'x-kept': '1' } };
    void dropCredentialsAcrossSchemes(next as never, { url: from } as never);
    return next.headers;
  };

  it('drops credentials and cookies on a redirect from https to http of the same host', () => {
    expect(redirect('https://site.test/a', 'http://site.test/b')).toEqual({ 'x-kept': '1' });
  });

  it('keeps them when the scheme stays (got itself handles another host or port)', () => {
    expect(redirect('https://site.test/a', 'https://site.test/b')).toMatchObject({ authorization: 'Bearer t', cookie: 'a=b' });
  });
});

describe('clientFor', () => {
  const target = (id: string, headers: Record<string, string> = {}) => compileTarget({ id, url: `https://${id}.test/`, headers });
  const usual: ExchangeContext = { ca: undefined, resolver: defaultResolver(), block: undefined };

  it('makes one got instance per set of settings, shared by the targets that have it', () => {
    const a = target('a');
    expect(clientFor(a, usual)).toBe(clientFor(a, { ...usual }));
    expect(clientFor(target('b'), usual)).toBe(clientFor(a, usual));
    expect(clientFor(target('c', { authorization: 'Bearer c' }), usual)).not.toBe(clientFor(a, usual));
  });

  it('makes another when the check trusts other CAs', () => {
    const a = target('a');
    const bundled = clientFor(a, usual);
    expect(clientFor(a, { ...usual, ca: 'PEM of a private CA' })).not.toBe(bundled);
    expect(clientFor(a, usual)).toBe(bundled);
  });

  it('makes another for another resolver', () => {
    const a = target('a');
    const usualClient = clientFor(a, usual);
    const other = { ...usual, resolver: createResolver({ family: 'ipv4' }) };
    expect(clientFor(a, other)).not.toBe(usualClient);
    expect(clientFor(target('b'), other)).toBe(clientFor(a, other));
  });

  it('makes another for other blocked networks, and shares it between equal lists', () => {
    const a = target('a');
    const blocking = { ...usual, block: networkBlock(['private']) };
    expect(clientFor(a, blocking)).not.toBe(clientFor(a, usual));
    expect(clientFor(target('b'), { ...usual, block: networkBlock(['private']) })).toBe(clientFor(a, blocking));
    expect(clientFor(a, { ...usual, block: networkBlock(['10.0.0.0/8']) })).not.toBe(clientFor(a, blocking));
  });
});
