import { describe, expect, it } from '@jest/globals';
import { recordingLogger } from '../../test/helpers.js';
import { TransportError } from './errors.js';
import { createPublisherLog } from './publisher-log.js';

function setUp() {
  let clock = 1_000;
  const logger = recordingLogger();
  const report = createPublisherLog(logger, 30_000, () => clock);
  return { logger, report, advance: (ms: number) => (clock += ms) };
}

const down = new TransportError('ERR_TRANSPORT_CONNECT', 'connect ECONNREFUSED', { retriable: true });
const state = { buffered: 10, dropped: 0 };

describe('publisher log', () => {
  it('logs an outage when it starts, every 30 s while it lasts, and when it ends', () => {
    const { logger, report, advance } = setUp();
    report.failed(down, state);
    for (let i = 0; i < 20; i++) {
      advance(1000);
      report.failed(down, state);
    }
    expect(report.inOutage).toBe(true);
    advance(10_000);
    report.failed(down, state);
    advance(5_000);
    report.sent(state);
    expect(report.inOutage).toBe(false);
    expect(logger.records.map((r) => [r.level, r.message, r.fields.failedAttempts, r.fields.outageMs])).toEqual([
      ['warn', 'cannot publish to Kafka; buffering and retrying', undefined, undefined],
      ['warn', 'still cannot publish to Kafka', 22, 30_000],
      ['info', 'publishing resumed', 22, 35_000],
    ]);
    expect(logger.records[0]!.fields).toMatchObject({ err: down, code: 'ERR_TRANSPORT_CONNECT', buffered: 10 });
  });

  it('logs drops at once, then at most every 30 s, and the rest when sending works again', () => {
    const { logger, report, advance } = setUp();
    report.dropped(1, { buffered: 5, dropped: 1 });
    advance(1000);
    report.dropped(1, { buffered: 5, dropped: 2 });
    report.dropped(1, { buffered: 5, dropped: 3 });
    advance(30_000);
    report.dropped(1, { buffered: 5, dropped: 4 });
    report.dropped(1, { buffered: 5, dropped: 5 });
    report.sent({ buffered: 4, dropped: 5 });
    report.flushDrops({ buffered: 4, dropped: 5 });
    expect(logger.records.map((r) => [r.level, r.fields.dropped, r.fields.droppedTotal])).toEqual([
      ['error', 1, 1],
      ['error', 3, 4],
      ['error', 1, 5],
    ]);
  });
});
