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

  it('calls a blocked address blocked, in whatever stage, with the message naming it', () => {
    const message = 'address 10.0.0.5 of shop.test is in a blocked network (10.0.0.0/8)';
    for (const stage of ['dns', 'connect'] as const) expect(classifyError(error('EBLOCKED', message), { ...context, stage })).toEqual({ reason: 'blocked', code: 'EBLOCKED', message });
  });

  it('calls ECONNREFUSED a DNS failure only while the name is being resolved', () => {
    expect(classifyError(error('ECONNREFUSED'), { ...context, stage: 'connect' })).toMatchObject({ reason: 'connect' });
  });

  it('calls a connection broken during the TLS handshake a TLS failure', () => {
    expect(classifyError(error('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), { ...context, stage: 'tls' })).toEqual({
      reason: 'tls',
      code: 'ECONNRESET',
      message: 'TLS handshake with shop.test failed: connection reset',
    });
  });

  it('tells a mid-body reset from a failed connect', () => {
    expect(classifyError(error('ECONNRESET'), { ...context, responded: true, bytesRead: 42 }).message).toBe('connection broke after 42 body bytes');
    expect(classifyError(error('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:80'), context).message).toBe('connection to shop.test failed: connection refused');
  });

  // Node's own text differs between releases (Node 24 appends advice on --use-system-ca to
  // certificate errors; OpenSSL's wording changes with its version): none of it is kept.
  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls', 'TLS handshake with shop.test failed: certificate not trusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls', 'TLS handshake with shop.test failed: certificate not trusted'],
    ['CERT_HAS_EXPIRED', 'tls', 'TLS handshake with shop.test failed: certificate expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls', 'TLS handshake with shop.test failed: certificate is for another host'],
    ['CERT_SIGNATURE_FAILURE', 'tls', 'TLS handshake with shop.test failed: certificate did not verify'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', 'TLS handshake with shop.test failed: wrong version number'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tls', 'TLS handshake with shop.test failed: tlsv1 alert protocol version'],
    ['EPROTO', 'tls', 'TLS handshake with shop.test failed: protocol error'],
    ['EHOSTUNREACH', 'connect', 'connection to shop.test failed: host unreachable'],
    ['HPE_INVALID_STATUS', 'other', 'invalid HTTP response from shop.test: invalid status line'],
    ['HPE_CR_EXPECTED', 'other', 'invalid HTTP response from shop.test: cr expected'],
  ])('words %s itself, whatever Node says', (code, reason, message) => {
    const nodeText = 'unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca';
    expect(classifyError(error(code, nodeText), context)).toEqual({ reason, code, message });
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
