import { describe, expect, it } from '@jest/globals';
import { classifyError, cleanMessage, isCertificateError, timeoutFailure, type FailureContext } from './failure.js';

const context: FailureContext = { stage: 'response', host: 'shop.test', responded: false, bytesRead: 0, timeoutMs: 500, maxRedirects: 5 };
const error = (code: string | undefined, message = 'boom') => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('classifyError', () => {
  it.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'connect'],
    ['EHOSTUNREACH', 'connect'],
    ['ECONNRESET', 'connect'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
    ['ETIMEDOUT', 'timeout'],
    ['ERR_TOO_MANY_REDIRECTS', 'redirects'],
    ['ERR_INVALID_REDIRECT', 'redirects'],
    ['HPE_INVALID_CONSTANT', 'other'],
  ])('maps %s to %s', (code, reason) => {
    expect(classifyError(error(code), context)).toMatchObject({ reason, code });
  });

  it.each([
    ['ENOTFOUND', 'no such name: shop.test does not exist (NXDOMAIN)'],
    ['ENODATA', 'shop.test exists but has no address of the family asked for'],
    ['ESERVFAIL', 'the DNS server failed to resolve shop.test (SERVFAIL)'],
    ['EREFUSED', 'the DNS server refused to resolve shop.test (REFUSED)'],
    ['ETIMEOUT', 'no answer from the DNS server for shop.test (timed out)'],
    ['ECONNREFUSED', 'no DNS server could be reached to resolve shop.test (connection refused)'],
    ['EBADRESP', 'DNS lookup of shop.test failed (EBADRESP)'],
  ])('words the DNS failure %s by its code, with the host name and without its port', (code, message) => {
    expect(classifyError(error(code), { ...context, stage: 'dns', host: 'shop.test:8443' })).toEqual({ reason: 'dns', code, message });
  });

  it('calls ECONNREFUSED a DNS failure only while the name is being resolved', () => {
    expect(classifyError(error('ECONNREFUSED'), { ...context, stage: 'connect' })).toMatchObject({ reason: 'connect' });
  });

  it('calls a connection broken during the TLS handshake a TLS failure', () => {
    expect(classifyError(error('ECONNRESET'), { ...context, stage: 'tls' })).toMatchObject({ reason: 'tls', code: 'ECONNRESET' });
  });

  it('tells a mid-body reset from a failed connect', () => {
    expect(classifyError(error('ECONNRESET'), { ...context, responded: true, bytesRead: 42 }).message).toBe('connection broke after 42 body bytes');
    expect(classifyError(error('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:80'), context).message).toBe(
      'connection to shop.test failed: connect ECONNREFUSED 10.0.0.1:80',
    );
  });

  it('keeps the message of an unknown error, cleaned, and a code even when there is none', () => {
    const failure = classifyError(error(undefined, 'bad thing at https://u:p@shop.test/a?token=x'), context);
    expect(failure).toEqual({ reason: 'other', code: 'ERR_UNKNOWN', message: 'bad thing at https://shop.test/a' });
  });

  it('says in which phase a check timed out', () => {
    expect(timeoutFailure({ ...context, stage: 'tls' })).toEqual({
      reason: 'timeout',
      code: 'ETIMEDOUT',
      message: 'no complete response within 500 ms: timed out during the TLS handshake',
    });
  });
});

describe('cleanMessage', () => {
  it('strips credentials and query strings from URLs', () => {
    expect(cleanMessage('GET https://user:pw@api.test/v1/x?key=s3cret failed, see http://b.test/?q=1')).toBe(
      'GET https://api.test/v1/x failed, see http://b.test/',
    );
  });

  it('flattens whitespace and cuts long messages', () => {
    expect(cleanMessage('a\n  b')).toBe('a b');
    expect(cleanMessage('x'.repeat(500))).toHaveLength(200);
  });
});

describe('isCertificateError', () => {
  it('tells certificate problems from other TLS failures', () => {
    expect(['CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID'].map(isCertificateError)).toEqual([true, true, true]);
    expect(['EPROTO', 'ECONNRESET', 'ERR_SSL_WRONG_VERSION_NUMBER'].map(isCertificateError)).toEqual([false, false, false]);
  });
});
