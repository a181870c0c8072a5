import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { noopLogger } from '@sitewatch/schema';
import type { BufferEntry } from './send-buffer.js';
import { openSpool, type SpoolBuffer } from './spool.js';
import { spoolDefaults, type SpoolSettings } from './spool-options.js';

const directories: string[] = [];
const open: SpoolBuffer[] = [];
afterEach(() => {
  for (const spool of open.splice(0)) spool.clear(new Error('test over'));
  for (const dir of directories.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function spoolIn(directory: string, settings: Partial<SpoolSettings> = {}): SpoolBuffer {
  const spool = openSpool({ ...spoolDefaults, directory, ...settings }, noopLogger);
  open.push(spool);
  return spool;
}

function freshSpool(settings: Partial<SpoolSettings> = {}): { spool: SpoolBuffer; directory: string } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-spool-'));
  directories.push(directory);
  return { spool: spoolIn(directory, settings), directory };
}

/** What a killed process leaves: nothing closed, its lock taken over (the process is gone). */
function killed(spool: SpoolBuffer, directory: string): void {
  open.splice(open.indexOf(spool), 1);
  fs.rmSync(path.join(directory, 'lock'));
}

function closed(spool: SpoolBuffer): void {
  open.splice(open.indexOf(spool), 1);
  expect(spool.clear(new Error('closed'))).toBe(0);
}

const entry = (n: number, bytes = 8): BufferEntry => ({ key: `t${n}`, value: Buffer.alloc(bytes, n % 256) });
// Records of 1,023 bytes: header 8, time and key length 10, key 5, value 1,000.
const sized = (n: number): BufferEntry => ({ key: `k${String(n).padStart(4, '0')}`, value: Buffer.alloc(1000, n % 256) });
const sizedBytes = 1023;
const keys = (entries: BufferEntry[]) => entries.map((e) => e.key);
const segments = (directory: string) => fs.readdirSync(directory).filter((name) => name.endsWith('.seg')).sort().map((name) => path.join(directory, name));

describe('spool', () => {
  it('hands out batches in order, keeps the batch in flight until settled, and resolves whenSent() once it has left', async () => {
    const { spool } = freshSpool();
    for (let i = 1; i <= 5; i++) expect(spool.push(entry(i))).toBe(0);
    const sent = spool.whenSent();
    expect(keys(spool.next(10, 3))).toEqual(['t1', 't2', 't3']);
    expect(keys(spool.next(2, 3))).toEqual(['t1', 't2']);
    spool.settle(2);
    expect(keys(spool.next(10, 3))).toEqual(['t3']);
    spool.settle(1);
    expect({ size: spool.size, waiting: spool.waiting, inFlight: spool.inFlight }).toEqual({ size: 2, waiting: 2, inFlight: 0 });
    expect(spool.next(10, 10).map((e) => e.value)).toEqual([entry(4).value, entry(5).value]);
    spool.settle(2);
    await sent;
    expect(spool.stats()).toMatchObject({ results: 0, oldestAgeMs: 0, dropped: 0 });
  });

  it('sends what a killed run left first, once: from the first result not acknowledged', () => {
    const { spool, directory } = freshSpool();
    for (let i = 1; i <= 10; i++) spool.push(entry(i));
    spool.next(4, 4);
    spool.settle(3);
    killed(spool, directory);

    const next = spoolIn(directory);
    expect(next.size).toBe(7);
    next.push(entry(11));
    expect(keys(next.next(100, 100))).toEqual(['t4', 't5', 't6', 't7', 't8', 't9', 't10', 't11']);
    next.settle(8);
    expect(next.stats()).toMatchObject({ replayed: 7, results: 0 });
    closed(next);
    expect(spoolIn(directory).size).toBe(0);
  });

  it('keeps what is left on close for the next start', () => {
    const { spool, directory } = freshSpool();
    for (let i = 1; i <= 3; i++) spool.push(entry(i));
    closed(spool);
    expect(keys(spoolIn(directory).next(10, 10))).toEqual(['t1', 't2', 't3']);
  });

  it('refuses a directory another spool of a running process holds', () => {
    const { directory } = freshSpool();
    expect(() => spoolIn(directory)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_IN_USE', message: expect.stringContaining(`process ${process.pid}`) }));
  });

  it.each([
    ['a torn last record', (data: Buffer) => data.subarray(0, data.length - 3)],
    ['a flipped byte in the last record', (data: Buffer) => flip(data, data.length - 2)],
    ['a flipped byte in the last record length', (data: Buffer) => flip(data, data.length - recordBytes)],
  ])('cuts %s at the last good record and counts it', (_, damage) => {
    const { spool, directory } = freshSpool();
    for (let i = 1; i <= 5; i++) spool.push(entry(i));
    killed(spool, directory);
    const [segment] = segments(directory);
    fs.writeFileSync(segment!, damage(fs.readFileSync(segment!)));

    const next = spoolIn(directory);
    expect(keys(next.next(10, 10))).toEqual(['t1', 't2', 't3', 't4']);
    expect(next.stats()).toMatchObject({ cuts: 1, cutBytes: expect.any(Number) });
    expect(next.stats().cutBytes).toBeGreaterThan(0);
    expect(fs.statSync(segment!).size).toBe(4 * recordBytes);
  });

  it('keeps the good records before a damaged one in the middle, and the segments after it', () => {
    const { spool, directory } = freshSpool({ maxBytes: 1024 * 1024 });
    // 300 records: three segments of 128 KiB.
    for (let i = 1; i <= 300; i++) spool.push(sized(i));
    killed(spool, directory);
    const [first, second] = segments(directory);
    expect(second).toBeDefined();
    const firstRecords = fs.statSync(first!).size / sizedBytes;
    fs.writeFileSync(first!, flip(fs.readFileSync(first!), 10 * sizedBytes + 100));

    const next = spoolIn(directory, { maxBytes: 1024 * 1024 });
    const sent = keys(next.next(1000, 1000));
    expect(sent.slice(0, 11)).toEqual([...Array.from({ length: 10 }, (_, i) => sized(i + 1).key), sized(firstRecords + 1).key]);
    expect(sent.at(-1)).toBe(sized(300).key);
    expect(sent).toHaveLength(300 - (firstRecords - 10));
    expect(next.stats()).toMatchObject({ cuts: 1, cutBytes: (firstRecords - 10) * sizedBytes });
  });

  it('resends everything when the cursor is damaged (the consumer stores each result once)', () => {
    const { spool, directory } = freshSpool();
    for (let i = 1; i <= 3; i++) spool.push(entry(i));
    spool.next(2, 2);
    spool.settle(2);
    killed(spool, directory);
    fs.writeFileSync(path.join(directory, 'cursor'), 'garbage');
    expect(keys(spoolIn(directory).next(10, 10))).toEqual(['t1', 't2', 't3']);
  });

  it('drops the oldest waiting results beyond maxBytes, a segment at a time, never the batch in flight, and counts them', async () => {
    const maxBytes = 1024 * 1024;
    const { spool, directory } = freshSpool({ maxBytes });
    spool.push(sized(0));
    const inFlight = spool.next(1, 1);
    const flushed = spool.whenSent();
    let dropped = 0;
    for (let i = 1; i <= 3000; i++) dropped += spool.push(sized(i));
    expect(dropped).toBeGreaterThan(0);
    expect(spool.stats()).toMatchObject({ dropped });
    expect(spool.stats().bytes).toBeLessThanOrEqual(maxBytes);
    expect(segments(directory).reduce((sum, file) => sum + fs.statSync(file).size, 0)).toBe(spool.stats().bytes);
    expect(keys(spool.next(1, 1))).toEqual(keys(inFlight));
    spool.settle(1);
    await flushed;
    const rest = keys(spool.next(5000, 5000));
    expect(rest).toHaveLength(3000 - dropped);
    expect(rest.at(-1)).toBe(sized(3000).key);
    expect(rest[0]).toBe(sized(dropped + 1).key);
  });

  it.each(['batch', 'interval'] as const)('flushes to disk with fsync %s', async (fsync) => {
    const { spool, directory } = freshSpool({ fsync, fsyncIntervalMs: 10 });
    for (let i = 1; i <= 100; i++) spool.push(entry(i));
    await new Promise((resolve) => setTimeout(resolve, 30));
    closed(spool);
    expect(spoolIn(directory).size).toBe(100);
  });
});

const recordBytes = 8 + 10 + 2 + 8; // header, time and key length, key "tN", 8-byte value

function flip(data: Buffer, at: number): Buffer {
  const copy = Buffer.from(data);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
