import { describe, expect, it } from '@jest/globals';
import { logLevel } from 'kafkajs';
import { recordingLogger } from '../../test/helpers.js';
import { createLogCreator } from './kafkajs-logger.js';

function entry(level: logLevel, message: string, extra: Record<string, unknown> = {}) {
  return { namespace: 'Connection', level, label: 'X', log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message, ...extra } };
}

describe('kafkajs log bridge', () => {
  it('forwards to our logger with fields first, its INFO (which repeats our own lines) at debug', () => {
    const logger = recordingLogger();
    const log = createLogCreator(logger)(logLevel.INFO);
    log(entry(logLevel.INFO, 'Consumer has joined the group', { groupId: 'g', memberId: 'm' }));
    expect(logger.records).toEqual([
      { level: 'debug', message: 'Consumer has joined the group', fields: { kafkajs: 'Connection', groupId: 'g', memberId: 'm' } },
    ]);
  });

  it('puts every kafkajs line at debug: the publisher and subscriber report outcomes themselves', () => {
    const logger = recordingLogger();
    const log = createLogCreator(logger)(logLevel.DEBUG);
    log(entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED'));
    log(entry(logLevel.WARN, 'Could not create topics'));
    log(entry(logLevel.DEBUG, 'Request Metadata(key: 3, version: 6)'));
    expect(logger.records.map((r) => r.level)).toEqual(['debug', 'debug', 'debug']);
  });
});
