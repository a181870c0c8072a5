import { describe, expect, it } from '@jest/globals';
import { isSitewatchError } from '@sitewatch/schema';
import { classifySqlState, isConnectionLoss, SinkError, sinkErrorCodes, toSinkError } from './errors.js';

// The shape postgres.js gives a server error (PostgresError): severity, a 5-character SQLSTATE.
const serverError = (code: string, message = 'server said no') => Object.assign(new Error(message), { severity: 'ERROR', code });
const socketError = (code: string, message = `write ${code} 127.0.0.1:5432`) => Object.assign(new Error(message), { code });

describe('SinkError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of sinkErrorCodes) expect(code).toMatch(/^ERR_SINK_[A-Z_]+$/);
  });

  it('keeps the cause and the SQLSTATE, and is recognised by code across package copies', () => {
    const cause = serverError('40P01');
    const error = new SinkError('ERR_SINK_WRITE', 'write failed', { cause, retriable: true, sqlState: '40P01' });
    expect(error).toMatchObject({ name: 'SinkError', code: 'ERR_SINK_WRITE', retriable: true, sqlState: '40P01', cause });
    expect(new SinkError('ERR_SINK_CLOSED', 'closed').retriable).toBe(false);
    expect(isSitewatchError(error, sinkErrorCodes)).toBe(true);
    expect(toSinkError(error, 'ERR_SINK_QUERY', 'x')).toBe(error);
  });
});

describe('classifySqlState', () => {
  it.each([
    ['40001', 'ERR_SINK_WRITE', true],
    ['40P01', 'ERR_SINK_WRITE', true],
    ['55P03', 'ERR_SINK_WRITE', true],
    ['57014', 'ERR_SINK_WRITE', true],
    ['53100', 'ERR_SINK_WRITE', true],
    ['53300', 'ERR_SINK_WRITE', true],
    ['08006', 'ERR_SINK_CONNECTION', true],
    ['57P01', 'ERR_SINK_CONNECTION', true],
    ['57P03', 'ERR_SINK_CONNECTION', true],
    ['28P01', 'ERR_SINK_AUTH', false],
    ['23505', 'ERR_SINK_WRITE', false],
    ['22021', 'ERR_SINK_WRITE', false],
    ['42P01', 'ERR_SINK_WRITE', false],
    ['3D000', 'ERR_SINK_WRITE', false],
  ])('maps SQLSTATE %s to %s, retriable %s', (state, code, retriable) => {
    expect(classifySqlState(state, 'ERR_SINK_WRITE')).toEqual({ code, retriable });
  });
});

describe('toSinkError', () => {
  it('wraps a server error with its message and SQLSTATE', () => {
    const cause = serverError('40P01', 'deadlock detected');
    const error = toSinkError(cause, 'ERR_SINK_WRITE', 'write');
    expect(error).toMatchObject({ code: 'ERR_SINK_WRITE', retriable: true, sqlState: '40P01', message: 'write failed: deadlock detected (SQLSTATE 40P01)' });
    expect(error.cause).toBe(cause);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'EPIPE'])('treats %s as a lost connection worth retrying', (code) => {
    expect(toSinkError(socketError(code), 'ERR_SINK_WRITE', 'write')).toMatchObject({ code: 'ERR_SINK_CONNECTION', retriable: true, message: `write failed: PostgreSQL connection error (${code})` });
  });

  it.each(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'ERR_SSL_WRONG_VERSION_NUMBER'])('treats %s as a TLS failure not worth retrying', (code) => {
    const error = toSinkError(socketError(code, 'certificate trouble'), 'ERR_SINK_QUERY', 'summary');
    expect(error).toMatchObject({ code: 'ERR_SINK_TLS', retriable: false });
    expect(error.message).toMatch(/TLS handshake with PostgreSQL failed/);
  });

  it('passes a SinkError through and wraps anything else with the fallback code', () => {
    const own = new SinkError('ERR_SINK_INVALID_BATCH', 'bad');
    expect(toSinkError(own, 'ERR_SINK_WRITE', 'write')).toBe(own);
    expect(toSinkError(new Error('boom'), 'ERR_SINK_WRITE', 'write')).toMatchObject({ code: 'ERR_SINK_WRITE', retriable: false, message: 'write failed: boom' });
    expect(toSinkError('text', 'ERR_SINK_QUERY', 'summary')).toMatchObject({ code: 'ERR_SINK_QUERY', message: 'summary failed: text' });
  });
});

describe('isConnectionLoss', () => {
  it('is true for socket errors and sessions ended by the server, false for the rest', () => {
    expect(isConnectionLoss(socketError('CONNECTION_CLOSED'))).toBe(true);
    expect(isConnectionLoss(serverError('57P01'))).toBe(true);
    expect(isConnectionLoss(serverError('08006'))).toBe(true);
    expect(isConnectionLoss(serverError('40P01'))).toBe(false);
    expect(isConnectionLoss(new Error('no code'))).toBe(false);
    expect(isConnectionLoss(undefined)).toBe(false);
  });
});
