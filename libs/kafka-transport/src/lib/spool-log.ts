// The spool's segment log: records (spool-format.ts) appended to numbered segment files in a
// directory, read back in order, acknowledged by sequence number. Each record has a sequence
// number (a segment's file is named by its first one); `cursor` holds the first one not yet
// acknowledged, so a restart resends from there (at most the last batch again: the consumer's
// idempotent insert absorbs it). At open, every segment is read and checked: a torn or damaged
// tail is cut at the last good record (truncated on disk) and counted, never a crash.
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '@sitewatch/schema';
import { decodeRecord, encodeRecord, recordLength, scanSegment, type SpooledEntry } from './spool-format.js';

/** A record read back, with its sequence number. */
export interface ReadEntry extends SpooledEntry {
  seq: number;
}

interface Segment {
  base: number;
  records: number;
  bytes: number;
  file: string;
}

/** What opening the log found. */
export interface Recovery {
  /** Records not yet acknowledged (left by a previous run). */
  pending: number;
  /** Bytes cut from damaged or torn segment tails. */
  cutBytes: number;
  /** Segments whose tail was cut. */
  cuts: number;
}

const segmentPattern = /^(\d{16})\.seg$/;
const segmentName = (base: number) => `${String(base).padStart(16, '0')}.seg`;
// One read brings in at most this much, unless a single record is longer.
const readChunkBytes = 1024 * 1024;

/** A segment log in `directory`; see the module comment. Synchronous: records are small and reads hit the page cache. */
export function openSegmentLog(directory: string, segmentBytes: number, log: Logger) {
  const cursorFile = path.join(directory, 'cursor');
  const segments: Segment[] = [];
  const recovery: Recovery = { pending: 0, cutBytes: 0, cuts: 0 };
  let cursor = 0;
  let read = { index: 0, offset: 0, seq: 0 };
  let readFd: { index: number; fd: number } | undefined;

  function recover(): void {
    const names = fs.readdirSync(directory).filter((name) => segmentPattern.test(name)).sort();
    for (const name of names) {
      const file = path.join(directory, name);
      const data = fs.readFileSync(file);
      const scan = scanSegment(data);
      if (scan.damage) {
        fs.truncateSync(file, scan.goodBytes);
        recovery.cuts += 1;
        recovery.cutBytes += data.length - scan.goodBytes;
        log.warn({ file, damage: scan.damage, keptRecords: scan.offsets.length, cutBytes: data.length - scan.goodBytes }, 'cut the damaged tail of a spool segment');
      }
      if (scan.offsets.length === 0) fs.rmSync(file);
      else segments.push({ base: Number(segmentPattern.exec(name)![1]), records: scan.offsets.length, bytes: scan.goodBytes, file });
    }
    cursor = Math.max(readCursor() ?? 0, segments[0]?.base ?? 0);
    dropAcknowledged(true);
    for (const segment of segments) recovery.pending += Math.min(segment.records, segment.base + segment.records - cursor);
    read = positionOf(cursor);
  }

  function readCursor(): number | undefined {
    try {
      const data = fs.readFileSync(cursorFile);
      if (data.length === 12 && crc32(data.subarray(0, 8)) === data.readUInt32BE(8)) return Number(data.readBigUInt64BE(0));
      log.warn({ file: cursorFile }, 'the spool cursor is damaged: resending the whole spool (stored results are not stored twice)');
    } catch {
      // no cursor yet: nothing was acknowledged
    }
    return undefined;
  }

  /** The read position of sequence number `seq` (or of the first record after it, when it is gone). */
  function positionOf(seq: number): typeof read {
    const index = segments.findIndex((segment) => segment.base + segment.records > seq);
    if (index === -1) return { index: segments.length, offset: 0, seq };
    const segment = segments[index]!;
    if (seq <= segment.base) return { index, offset: 0, seq: segment.base };
    const offsets = scanSegment(fs.readFileSync(segment.file)).offsets;
    return { index, offset: offsets[seq - segment.base]!, seq };
  }

  /** Deletes the segments every record of which is acknowledged (but the one being written, unless `all`). */
  function dropAcknowledged(all = false): void {
    while (segments.length > (all ? 0 : 1) && segments[0]!.base + segments[0]!.records <= cursor) removeFirst();
  }

  /** Deletes the oldest segment; a read position in it moves to the start of the next. */
  function removeFirst(): void {
    if (read.index === 0) read = { index: 1, offset: 0, seq: segments[1]?.base ?? nextSeq() };
    if (readFd?.index === 0) closeReadFd();
    if (readFd) readFd.index -= 1;
    fs.rmSync(segments.shift()!.file, { force: true });
    read.index -= 1;
  }

  function nextSeq(): number {
    const last = segments.at(-1);
    return last ? last.base + last.records : cursor;
  }

  /** A record that no longer decodes (the disk changed it after the open): the rest of its segment is given up, counted as cut. */
  function giveUpRest(segment: Segment): void {
    log.error({ file: segment.file, offset: read.offset, cutBytes: segment.bytes - read.offset }, 'a spool segment was damaged after it was checked; skipping its rest');
    recovery.cuts += 1;
    recovery.cutBytes += segment.bytes - read.offset;
    segment.records = read.seq - segment.base;
    read.offset = segment.bytes;
  }

  function closeReadFd(): void {
    if (readFd) fs.closeSync(readFd.fd);
    readFd = undefined;
  }

  function fdFor(index: number): number {
    if (readFd?.index !== index) {
      closeReadFd();
      readFd = { index, fd: fs.openSync(segments[index]!.file, 'r') };
    }
    return readFd.fd;
  }

  function readAt(index: number, offset: number, bytes: number): Buffer {
    const buffer = Buffer.allocUnsafe(bytes);
    const got = fs.readSync(fdFor(index), buffer, 0, bytes, offset);
    return buffer.subarray(0, got);
  }

  fs.mkdirSync(directory, { recursive: true });
  recover();

  return {
    recovery,
    segments: segments as readonly Segment[],
    /** Sequence number of the next record appended. */
    get nextSeq(): number {
      return nextSeq();
    },
    /** Sequence number of the next record read(). */
    get readSeq(): number {
      return read.seq;
    },
    /** Records not read yet. */
    get unread(): number {
      return segments.reduce((sum, segment, index) => sum + (index < read.index ? 0 : index === read.index ? segment.base + segment.records - read.seq : segment.records), 0);
    },
    /** Bytes of every segment on disk. */
    get bytes(): number {
      return segments.reduce((sum, segment) => sum + segment.bytes, 0);
    },
    /** Starts a new segment file for the next appends; returns its path. */
    roll(): string {
      const base = nextSeq();
      const file = path.join(directory, segmentName(base));
      segments.push({ base, records: 0, bytes: 0, file });
      return file;
    },
    /** Counts a record written (by the caller, to the last segment's file); returns its sequence number. */
    appended(bytes: number): number {
      const segment = segments.at(-1)!;
      segment.records += 1;
      segment.bytes += bytes;
      return segment.base + segment.records - 1;
    },
    encode: encodeRecord,
    /** Up to `max` records from the read position on (moving it past them). */
    read(max: number): ReadEntry[] {
      const entries: ReadEntry[] = [];
      while (entries.length < max && read.index < segments.length) {
        const segment = segments[read.index]!;
        if (read.offset >= segment.bytes) {
          if (read.index === segments.length - 1) break;
          read = { index: read.index + 1, offset: 0, seq: segments[read.index + 1]!.base };
          continue;
        }
        let data = readAt(read.index, read.offset, Math.min(readChunkBytes, segment.bytes - read.offset));
        const first = recordLength(data, 0);
        if (first !== undefined && first > data.length) data = readAt(read.index, read.offset, first);
        let offset = 0;
        while (entries.length < max && offset < data.length) {
          const decoded = decodeRecord(data, offset);
          // Past the chunk's end: the next read starts with this record.
          if ('damage' in decoded) break;
          entries.push({ ...decoded.entry, seq: read.seq });
          offset += decoded.bytes;
          read.seq += 1;
        }
        if (offset === 0 && entries.length < max) giveUpRest(segment);
        read.offset += offset;
      }
      return entries;
    },
    /** The record at the read position, without moving it; undefined when everything was read. */
    peek(): ReadEntry | undefined {
      const saved = { ...read };
      const [entry] = this.read(1);
      read = saved;
      return entry;
    },
    /** Drops the oldest segment's unread records (moving the read position past them) and deletes it; returns how many were unread. */
    dropOldest(): number {
      const segment = segments[0]!;
      const unread = read.index > 0 ? segment.records : segment.base + segment.records - read.seq;
      removeFirst();
      return unread;
    },
    /** Records every sequence number below `seq` as sent; deletes the segments that are all sent. */
    acknowledge(seq: number): void {
      if (seq <= cursor) return;
      cursor = seq;
      const data = Buffer.allocUnsafe(12);
      data.writeBigUInt64BE(BigInt(seq), 0);
      data.writeUInt32BE(crc32(data.subarray(0, 8)), 8);
      // Not synced: a cursor lost with the machine only makes the last batches go again.
      fs.writeFileSync(cursorFile, data);
      dropAcknowledged();
    },
    close(): void {
      closeReadFd();
    },
  };
}

/** See openSegmentLog(). */
export type SegmentLog = ReturnType<typeof openSegmentLog>;
