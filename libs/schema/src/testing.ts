// Test helpers (entry point `@sitewatch/schema/testing`).
import { newCheckId, schemaVersion, type CheckResult } from './lib/check-result.js';

/** A valid CheckResult (an up check of https://example.test/), with the given fields replaced. */
export function makeCheckResult(overrides: Partial<CheckResult> = {}): CheckResult {
  const now = new Date().toISOString();
  return {
    v: schemaVersion,
    id: newCheckId(),
    targetId: 'example',
    url: 'https://example.test/',
    probeId: 'test-probe',
    scheduledAt: now,
    startedAt: now,
    outcome: 'up',
    statusCode: 200,
    responseTimeMs: 42.5,
    phases: { dnsMs: 1, tcpMs: 2, tlsMs: 5, ttfbMs: 30, downloadMs: 4.5 },
    bytesRead: 1256,
    redirects: 0,
    ...overrides,
  };
}
