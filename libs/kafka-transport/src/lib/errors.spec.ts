import { describe, expect, it } from '@jest/globals';
import kafkajs from 'kafkajs';
import { isSitewatchError } from '@sitewatch/schema';
import { toTransportError, TransportError, transportErrorCodes } from './errors.js';

const { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSCreateTopicError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } = kafkajs as unknown as Record<'KafkaJSAggregateError' | 'KafkaJSConnectionError' | 'KafkaJSCreateTopicError' | 'KafkaJSNumberOfRetriesExceeded' | 'KafkaJSProtocolError' | 'KafkaJSSASLAuthenticationError', new (...args: never[]) => Error>;

const protocolError = (type: string, retriable: boolean) => new KafkaJSProtocolError({ message: `broker says ${type}`, type, code: 1, retriable } as never);
const connectionError = (code: string) => new KafkaJSConnectionError(`Connection error: ${code}` as never, { broker: '127.0.0.1:9092', code } as never);

describe('TransportError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of transportErrorCodes) expect(code).toMatch(/^ERR_TRANSPORT_[A-Z_]+$/);
  });

  it('carries code, retriable and cause, and is recognised by code', () => {
    const cause = new Error('socket hang up');
    const error = new TransportError('ERR_TRANSPORT_CONNECT', 'no broker reachable', { cause, retriable: true, kafkaErrorType: 'REQUEST_TIMED_OUT' });
    expect(error).toMatchObject({ code: 'ERR_TRANSPORT_CONNECT', retriable: true, cause, kafkaErrorType: 'REQUEST_TIMED_OUT', name: 'TransportError' });
    expect(new TransportError('ERR_TRANSPORT_CLOSED', 'closed').retriable).toBe(false);
    expect(isSitewatchError(error, transportErrorCodes)).toBe(true);
    expect(toTransportError(error)).toBe(error);
  });
});

describe('toTransportError', () => {
  it.each([
    ['a refused connection', () => connectionError('ECONNREFUSED'), 'ERR_TRANSPORT_CONNECT', true],
    ['a failed certificate check', () => connectionError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'ERR_TRANSPORT_TLS', false],
    ['a TLS alert', () => connectionError('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'ERR_TRANSPORT_TLS', false],
    ['a SASL failure', () => new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed' as never), 'ERR_TRANSPORT_AUTH', false],
    ['a topic ACL', () => protocolError('TOPIC_AUTHORIZATION_FAILED', false), 'ERR_TRANSPORT_NOT_AUTHORIZED', false],
    ['a group ACL', () => protocolError('GROUP_AUTHORIZATION_FAILED', false), 'ERR_TRANSPORT_NOT_AUTHORIZED', false],
    ['a missing topic', () => protocolError('UNKNOWN_TOPIC_OR_PARTITION', true), 'ERR_TRANSPORT_TOPIC_MISSING', true],
    ['a message too large', () => protocolError('MESSAGE_TOO_LARGE', false), 'ERR_TRANSPORT_TOO_LARGE', false],
    ['a leader election', () => protocolError('LEADER_NOT_AVAILABLE', true), 'ERR_TRANSPORT_KAFKA', true],
    ['a lost producer id', () => protocolError('UNKNOWN_PRODUCER_ID', false), 'ERR_TRANSPORT_KAFKA', false],
  ])('maps %s', (_name, make, code, retriable) => {
    const cause = make();
    const error = toTransportError(cause);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code, retriable, cause });
  });

  it('keeps the broker error name', () => {
    expect(toTransportError(protocolError('NOT_LEADER_FOR_PARTITION', true)).kafkaErrorType).toBe('NOT_LEADER_FOR_PARTITION');
  });

  it('looks through exhausted retries to the last error, and calls the outcome retriable', () => {
    const last = connectionError('ECONNREFUSED');
    const error = toTransportError(new KafkaJSNumberOfRetriesExceeded(last as never, { retryCount: 5, retryTime: 100 } as never));
    expect(error).toMatchObject({ code: 'ERR_TRANSPORT_CONNECT', retriable: true, message: last.message });
  });

  it('looks into aggregated topic errors', () => {
    const aggregate = new KafkaJSAggregateError('Topic creation errors' as never, [new KafkaJSCreateTopicError({ message: 'no', type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false } as never, 'topic-a' as never)] as never);
    expect(toTransportError(aggregate)).toMatchObject({ code: 'ERR_TRANSPORT_NOT_AUTHORIZED', kafkaErrorType: 'TOPIC_AUTHORIZATION_FAILED' });
  });

  it('returns a TransportError as it is, and wraps anything else', () => {
    const ours = new TransportError('ERR_TRANSPORT_CLOSED', 'closed');
    expect(toTransportError(ours)).toBe(ours);
    expect(toTransportError('boom')).toMatchObject({ code: 'ERR_TRANSPORT_KAFKA', message: 'boom', retriable: false });
    expect(toTransportError(new Error('odd'), 'ERR_TRANSPORT_CONNECT')).toMatchObject({ code: 'ERR_TRANSPORT_CONNECT', retriable: false });
  });
});
