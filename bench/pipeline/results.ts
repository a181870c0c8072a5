// Realistic CheckResults for the pipeline benchmarks, generated from a seed so that every
// path of a run (Kafka -> sink, the naive consumer, sink.write() from memory) sees the same
// rows, ids included. Targets are checked round after round in time order, the way the
// producer emits them: a few per cent down with reasons, phase timings with a slow tail,
// https with a certificate expiry, some targets with body patterns.
import type { CheckResult, FailureReason } from '@sitewatch/schema';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { seededRandom } from '../../tools/testing/random.js';

/** What to generate. */
export interface ResultSpec {
  /** Results in all. */
  count: number;
  /** Distinct targets, checked in turn (result i is of target i % targets). */
  targets: number;
  /** startedAt of the first result, ms since the epoch. */
  fromMs: number;
  /** startedAt of the last result is just before this, ms since the epoch. */
  toMs: number;
  /** Seed of the pseudo-random numbers (default 1). */
  seed?: number;
}

const hex = (value: number, digits: number) => Math.floor(value).toString(16).padStart(digits, '0');

/** A UUIDv7 of time `ms` whose random bits come from `rand`. */
export function uuidV7(ms: number, rand: () => number): string {
  const time = hex(ms, 12);
  const a = hex(rand() * 0x1000, 3);
  const b = hex(0x8000 + rand() * 0x4000, 4);
  const c = hex(rand() * 0x1000000, 6) + hex(rand() * 0x1000000, 6);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${a}-${b}-${c}`;
}

// Log-normal around `median` (sigma in log space): most values near it, a long slow tail.
function logNormal(rand: () => number, median: number, sigma: number): number {
  const u = Math.max(rand(), 1e-9);
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return Math.round(median * Math.exp(sigma * normal) * 100) / 100;
}

interface TargetProfile {
  id: string;
  url: string;
  probeId: string;
  https: boolean;
  /** Probability that a check is down. */
  downRate: number;
  /** Median time to first byte, ms. */
  ttfbMs: number;
  mustMatch?: string;
  mustNotMatch?: string;
  tlsNotAfter?: string;
}

const probes = ['eu-west-1', 'us-east-1', 'ap-south-1'];
// Down reasons by weight, with what the checker writes for them.
const downs: { reason: FailureReason; weight: number; status?: number; code: string; message: string }[] = [
  { reason: 'timeout', weight: 35, code: 'ETIMEDOUT', message: 'no response within 10000 ms' },
  { reason: 'status', weight: 25, status: 503, code: 'HTTP_STATUS', message: 'status 503 is not 2xx' },
  { reason: 'connect', weight: 18, code: 'ECONNREFUSED', message: 'connection refused' },
  { reason: 'dns', weight: 6, code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' },
  { reason: 'tls', weight: 5, code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
  { reason: 'body_mismatch', weight: 8, status: 200, code: 'BODY_MISMATCH', message: 'mustMatch pattern not found in the body' },
  { reason: 'other', weight: 3, code: 'ECONNRESET', message: 'socket hang up' },
];
const downWeight = downs.reduce((sum, d) => sum + d.weight, 0);

function profiles(count: number, nowMs: number, rand: () => number): TargetProfile[] {
  return Array.from({ length: count }, (_, i) => {
    const https = rand() < 0.9;
    // Most sites are fine; one in twenty is flaky (about 2.5% of all checks are down).
    const downRate = rand() < 0.05 ? 0.3 : 0.01;
    const profile: TargetProfile = {
      id: `target-${String(i).padStart(5, '0')}`,
      url: `${https ? 'https' : 'http'}://site-${i}.example.test/${i % 3 === 0 ? 'health' : ''}`,
      probeId: probes[i % probes.length]!,
      https,
      downRate,
      ttfbMs: 40 + rand() * 260,
    };
    if (rand() < 0.2) profile.mustMatch = `(?i)welcome to site ${i}`;
    if (rand() < 0.05) profile.mustNotMatch = 'maintenance|unavailable';
    if (https) profile.tlsNotAfter = new Date(Math.floor(nowMs / 86_400_000 + 10 + rand() * 400) * 86_400_000).toISOString();
    return profile;
  });
}

function downCheck(base: CheckResult, t: TargetProfile, rand: () => number): CheckResult {
  let pick = rand() * downWeight;
  let down = downs.find((d) => (pick -= d.weight) < 0) ?? downs[0]!;
  // Only a target with a body pattern can fail on its body.
  if (down.reason === 'body_mismatch' && t.mustMatch === undefined) down = downs[1]!;
  const result: CheckResult = { ...base, outcome: 'down', reason: down.reason, bytesRead: 0, error: { code: down.code, message: down.message } };
  if (down.reason === 'timeout') return { ...result, responseTimeMs: 10_000, phases: { dnsMs: base.phases.dnsMs!, tcpMs: base.phases.tcpMs! } };
  if (down.reason === 'dns') return { ...result, responseTimeMs: base.phases.dnsMs!, phases: { dnsMs: base.phases.dnsMs! } };
  if (down.status !== undefined) return { ...result, statusCode: down.status, bytesRead: Math.round(rand() * 2000) };
  if (down.reason === 'connect') return { ...result, responseTimeMs: base.phases.dnsMs! + base.phases.tcpMs!, phases: { dnsMs: base.phases.dnsMs!, tcpMs: base.phases.tcpMs! } };
  return t.https ? result : { ...result, reason: 'other' };
}

function check(t: TargetProfile, startedMs: number, rand: () => number): CheckResult {
  const phases = {
    dnsMs: logNormal(rand, 4, 0.8),
    tcpMs: logNormal(rand, 18, 0.5),
    ...(t.https ? { tlsMs: logNormal(rand, 30, 0.5) } : {}),
    ttfbMs: logNormal(rand, t.ttfbMs, 0.6),
    downloadMs: logNormal(rand, 8, 1),
  };
  const total = Object.values(phases).reduce((sum, ms) => sum + ms, 0);
  const base: CheckResult = {
    v: 1,
    id: uuidV7(startedMs, rand),
    targetId: t.id,
    url: t.url,
    probeId: t.probeId,
    scheduledAt: new Date(startedMs - Math.floor(rand() * 4)).toISOString(),
    startedAt: new Date(startedMs).toISOString(),
    outcome: 'up',
    statusCode: 200,
    responseTimeMs: Math.round(total * 100) / 100,
    phases,
    bytesRead: Math.round(logNormal(rand, 30_000, 1)),
    redirects: t.url.endsWith('/health') ? 0 : rand() < 0.1 ? 1 : 0,
    ...(t.tlsNotAfter === undefined ? {} : { tlsNotAfter: t.tlsNotAfter }),
  };
  if (t.mustMatch !== undefined || t.mustNotMatch !== undefined) {
    base.regex = {
      ...(t.mustMatch === undefined ? {} : { mustMatch: { pattern: t.mustMatch, matched: true } }),
      ...(t.mustNotMatch === undefined ? {} : { mustNotMatch: { pattern: t.mustNotMatch, matched: false } }),
    };
  }
  return rand() < t.downRate ? downCheck(base, t, rand) : base;
}

/**
 * The results of `spec` in time order, `batchSize` at a time. The same spec always gives
 * the same results, so callers can generate them again instead of keeping a million.
 */
export function* generateResults(spec: ResultSpec, batchSize: number): Generator<CheckResult[]> {
  const rand = seededRandom(spec.seed ?? 1);
  const targets = profiles(spec.targets, spec.toMs, rand);
  const stepMs = (spec.toMs - spec.fromMs) / spec.count;
  let batch: CheckResult[] = [];
  for (let i = 0; i < spec.count; i++) {
    batch.push(check(targets[i % spec.targets]!, Math.floor(spec.fromMs + i * stepMs), rand));
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * The results of `spec` as a consumer of a `partitions`-partition topic gets them: split by
 * partition the way the publisher keys them (target id, murmur2), each partition in order
 * and cut into batches of `batchSize`, the partitions taking turns.
 */
export function partitionedBatches(spec: ResultSpec, partitions: number, batchSize: number): CheckResult[][] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  const byPartition = new Map<string, number>();
  const lanes: CheckResult[][] = Array.from({ length: partitions }, () => []);
  for (const chunk of generateResults(spec, 100_000)) {
    for (const result of chunk) {
      let partition = byPartition.get(result.targetId);
      if (partition === undefined) {
        partition = partitioner({ topic: 'bench', partitionMetadata, message: { key: result.targetId, value: null } });
        byPartition.set(result.targetId, partition);
      }
      lanes[partition]!.push(result);
    }
  }
  const batches: CheckResult[][] = [];
  for (let offset = 0; lanes.some((lane) => offset < lane.length); offset += batchSize) {
    for (const lane of lanes) if (offset < lane.length) batches.push(lane.slice(offset, offset + batchSize));
  }
  return batches;
}
