// The spool's records on disk: a segment file is a sequence of records, each
//   u32 body length | u32 CRC-32 of the body | body
// with the body
//   f64 time appended (ms since the epoch) | u16 key length | key (UTF-8) | value
// all big-endian. A reader stops at the first record that is cut short or whose checksum
// does not match: that is where a crash (or a damaged disk) left the segment, and nothing
// after it is trusted.
import { crc32 } from 'node:zlib';

/** Bytes before a record's body. */
export const recordHeaderBytes = 8;
// Beyond any result the transport sends (a Kafka message is at most a few MiB): a longer
// length can only be damage.
const maxBodyBytes = 64 * 1024 * 1024;

/** One result as the spool keeps it. */
export interface SpooledEntry {
  key: string;
  value: Buffer;
  /** When it was appended, ms since the epoch. */
  appendedAt: number;
}

/** The bytes of one record. */
export function encodeRecord(entry: SpooledEntry): Buffer {
  const key = Buffer.from(entry.key, 'utf8');
  const record = Buffer.allocUnsafe(recordHeaderBytes + 10 + key.length + entry.value.length);
  const body = record.subarray(recordHeaderBytes);
  body.writeDoubleBE(entry.appendedAt, 0);
  body.writeUInt16BE(key.length, 8);
  key.copy(body, 10);
  entry.value.copy(body, 10 + key.length);
  record.writeUInt32BE(body.length, 0);
  record.writeUInt32BE(crc32(body), 4);
  return record;
}

/** The byte length of the whole record starting at `offset`, or undefined when the header is not all there. */
export function recordLength(data: Buffer, offset: number): number | undefined {
  return offset + recordHeaderBytes <= data.length ? recordHeaderBytes + data.readUInt32BE(offset) : undefined;
}

/** The record at `offset` of `data`, or why there is none: `torn` (cut short) or `damaged` (bad length or checksum). */
export function decodeRecord(data: Buffer, offset: number): { entry: SpooledEntry; bytes: number } | { damage: 'torn' | 'damaged' } {
  if (offset + recordHeaderBytes > data.length) return { damage: 'torn' };
  const length = data.readUInt32BE(offset);
  if (length < 10 || length > maxBodyBytes) return { damage: 'damaged' };
  const start = offset + recordHeaderBytes;
  if (start + length > data.length) return { damage: 'torn' };
  const body = data.subarray(start, start + length);
  if (crc32(body) !== data.readUInt32BE(offset + 4)) return { damage: 'damaged' };
  const keyLength = body.readUInt16BE(8);
  if (10 + keyLength > length) return { damage: 'damaged' };
  const entry = { appendedAt: body.readDoubleBE(0), key: body.toString('utf8', 10, 10 + keyLength), value: Buffer.from(body.subarray(10 + keyLength)) };
  return { entry, bytes: recordHeaderBytes + length };
}

/** What a scan of a whole segment found. */
export interface SegmentScan {
  /** Byte offset of each good record. */
  offsets: number[];
  /** Bytes up to the end of the last good record. */
  goodBytes: number;
  /** Why the scan stopped before the end of the data. */
  damage?: 'torn' | 'damaged';
}

/** Reads a segment's records up to the first bad one. */
export function scanSegment(data: Buffer): SegmentScan {
  const offsets: number[] = [];
  let offset = 0;
  while (offset < data.length) {
    const read = decodeRecord(data, offset);
    if ('damage' in read) return { offsets, goodBytes: offset, damage: read.damage };
    offsets.push(offset);
    offset += read.bytes;
  }
  return { offsets, goodBytes: offset };
}
