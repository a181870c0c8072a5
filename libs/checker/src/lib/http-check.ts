// One HTTP(S) check of one target: the exchange (http-exchange.ts), the regexes and the
// conditions, and a CheckResult that says what happened. A site's failure is data, never a throw.
import { newCheckId, noopLogger, schemaVersion, type CheckResult, type Logger } from '@sitewatch/schema';
import { judgeHeaders } from './assertions.js';
import { joinBody } from './body.js';
import { examineBody, type PatternMatches } from './body-worker.js';
import { networkBlock } from './blocked-networks.js';
import type { ConditionFailure } from './conditions.js';
import { CheckerError } from './errors.js';
import { classifyError, cleanMessage, isCertificateError, timeoutFailure, type Failure, type FailureContext } from './failure.js';
import { connectionLookup, startExchange, type Exchange, type ExchangeContext } from './http-exchange.js';
import { defaultResolver, type Resolver } from './resolver.js';
import { isStatusAccepted } from './status-ranges.js';
import { acceptedRanges, targetChecks, type CompiledTarget } from './target.js';
import { createPhaseRecorder, type PhaseRecorder } from './timings.js';
import { peekCertificateExpiry } from './tls-peek.js';

/** Options of one check. */
export interface CheckOptions {
  /** Which checker runs the check (a location or host name); put in the result. Required. */
  probeId: string;
  /** When the scheduler meant the check to start. Default: when it starts. */
  scheduledAt?: Date;
  /** PEM certificates of the CAs to trust instead of Node's bundled roots (a private PKI). Default: the bundled roots. */
  ca?: string | readonly string[];
  /** Resolves the targets' host names; create it once with createResolver() and pass it to every check. Default: a shared resolver with the system's DNS servers and the default options. */
  resolver?: Resolver;
  /**
   * Networks the check must not connect to, on any hop: CIDRs (`10.0.0.0/8`, `fc00::/7`),
   * addresses, and `private` (loopback, RFC 1918, link-local, ULA, the cloud metadata
   * addresses: `privateNetworks`). A host whose address is in one is not connected to; the
   * check is down with reason `blocked`. An invalid list rejects with
   * `ERR_CHECKER_INVALID_OPTIONS` (checkBlockNetworks() finds its problems beforehand).
   * Default none.
   */
  blockNetworks?: readonly string[];
  /** Stops the check: it then rejects with `ERR_CHECKER_ABORTED`, having no result to report. Default none. */
  signal?: AbortSignal;
  /** Where to log each check (down at info, up at debug). Default `noopLogger`. */
  logger?: Logger;
}

/** What the check concluded: the failure if any, the regex answers, the certificate's expiry. */
interface Verdict {
  failure?: Failure;
  regex?: PatternMatches;
  tlsNotAfter?: string;
}

/** The failure of conditions that do not hold: `invalid_json` for a body that is not JSON, else `assertion`. */
function conditionFailure(failed: ConditionFailure): Failure | undefined {
  return failed && { reason: failed.code === 'INVALID_JSON' ? 'invalid_json' : 'assertion', code: failed.code, message: cleanMessage(failed.message, 1024) };
}

/** The failure of the status or of the body's size, which the body's contents cannot change. */
function statusFailure(target: CompiledTarget, done: Exchange): Failure | undefined {
  const status = done.statusCode!;
  if (!isStatusAccepted(acceptedRanges(target)!, status)) {
    return { reason: 'status', code: 'STATUS_NOT_ACCEPTED', message: `status ${status} is not among ${target.acceptStatus.join(', ')}` };
  }
  if (done.body.truncated) return { reason: 'body_too_large', code: 'BODY_TOO_LARGE', message: `body goes on beyond ${target.maxBodyBytes} bytes` };
  return undefined;
}

function regexFailure(regex: PatternMatches | undefined): Failure | undefined {
  if (regex?.mustMatch === false) return { reason: 'body_mismatch', code: 'BODY_MISMATCH', message: 'body does not match mustMatch' };
  if (regex?.mustNotMatch === true) return { reason: 'body_mismatch', code: 'BODY_MISMATCH', message: 'body matches mustNotMatch' };
  return undefined;
}

/**
 * Status, then body size, then the regexes, then the header conditions, then the JSON ones:
 * the first problem found is the reason. The regexes run whatever the response (their answers
 * are reported); the JSON is parsed only for a response that is right so far.
 */
async function judgeResponse(target: CompiledTarget, done: Exchange, remainingMs: number, context: FailureContext): Promise<Verdict> {
  const checks = targetChecks(target);
  const early = statusFailure(target, done);
  const headers = early || !checks.headers ? undefined : conditionFailure(judgeHeaders(checks.headers, done.headers ?? {}));
  const json = early || headers ? undefined : checks.json;
  const patterns = { mustMatch: target.mustMatch, mustNotMatch: target.mustNotMatch };
  const hasPatterns = patterns.mustMatch !== undefined || patterns.mustNotMatch !== undefined;
  const findings = hasPatterns || json ? await examineBody({ patterns, json }, joinBody(done.body), remainingMs) : undefined;
  if (findings === 'timeout') return { failure: timeoutFailure({ ...context, stage: 'match' }) };
  const regex = hasPatterns ? findings?.matches : undefined;
  return { regex, failure: early ?? regexFailure(regex) ?? headers ?? conditionFailure(findings?.json) };
}

/** Judges the exchange; `timedOut` says the check's deadline fired. */
async function judge(target: CompiledTarget, done: Exchange, recorder: PhaseRecorder, timedOut: boolean, start: number, exchange: ExchangeContext): Promise<Verdict> {
  const context: FailureContext = {
    stage: recorder.stage(),
    host: done.url.host,
    responded: done.statusCode !== undefined,
    bytesRead: done.body.bytesRead,
    timeoutMs: target.timeoutMs,
    maxRedirects: target.maxRedirects,
  };
  const remainingMs = () => target.timeoutMs - (performance.now() - start);
  // The deadline wins over whatever error aborting the request caused.
  const verdict: Verdict =
    done.error === undefined
      ? await judgeResponse(target, done, remainingMs(), context)
      : { failure: timedOut ? timeoutFailure(context) : classifyError(done.error, context) };
  verdict.tlsNotAfter = recorder.tlsNotAfter();
  const { failure } = verdict;
  if (failure?.reason === 'tls' && isCertificateError(failure.code) && verdict.tlsNotAfter === undefined && done.url.protocol === 'https:') {
    verdict.tlsNotAfter = await peekCertificateExpiry(done.url, remainingMs(), connectionLookup(exchange));
  }
  return verdict;
}

function regexResult(target: CompiledTarget, matches: PatternMatches): CheckResult['regex'] {
  return {
    ...(target.mustMatch === undefined ? {} : { mustMatch: { pattern: target.mustMatch, matched: matches.mustMatch === true } }),
    ...(target.mustNotMatch === undefined ? {} : { mustNotMatch: { pattern: target.mustNotMatch, matched: matches.mustNotMatch === true } }),
  };
}

function buildResult(target: CompiledTarget, options: CheckOptions, startedAt: Date, done: Exchange, phases: CheckResult['phases'], verdict: Verdict, start: number): CheckResult {
  const { failure, regex, tlsNotAfter } = verdict;
  return {
    v: schemaVersion,
    id: newCheckId(),
    targetId: target.id,
    url: target.url,
    probeId: options.probeId,
    scheduledAt: (options.scheduledAt ?? startedAt).toISOString(),
    startedAt: startedAt.toISOString(),
    outcome: failure ? 'down' : 'up',
    ...(failure ? { reason: failure.reason } : {}),
    ...(done.statusCode === undefined ? {} : { statusCode: done.statusCode }),
    responseTimeMs: Math.round((done.endAt - start) * 1000) / 1000,
    phases,
    ...(regex ? { regex: regexResult(target, regex) } : {}),
    ...(tlsNotAfter === undefined ? {} : { tlsNotAfter }),
    bytesRead: done.body.bytesRead,
    redirects: done.redirects,
    ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
  };
}

function aborted(signal: AbortSignal): CheckerError {
  return new CheckerError('ERR_CHECKER_ABORTED', 'check aborted by the caller', { cause: signal.reason });
}

/**
 * Checks a target once and describes what happened. A site that is down, slow or wrong is a
 * CheckResult with `outcome: 'down'` and a reason, never an exception. Rejects only when the
 * target did not come from compileTarget(), when `options.blockNetworks` is invalid, or when
 * `options.signal` aborts the check.
 */
export async function checkTarget(target: CompiledTarget, options: CheckOptions): Promise<CheckResult> {
  if (!acceptedRanges(target)) throw new CheckerError('ERR_CHECKER_INVALID_TARGET', 'target was not made by compileTarget()');
  if (options.signal?.aborted) throw aborted(options.signal);
  const startedAt = new Date();
  const start = performance.now();
  const recorder = createPhaseRecorder();
  const context: ExchangeContext = { ca: options.ca, resolver: options.resolver ?? defaultResolver(), block: options.blockNetworks && networkBlock(options.blockNetworks) };
  const exchange = startExchange(target, context, recorder);
  let timedOut = false;
  // One deadline for the whole check, redirects and regexes included, rather than got's
  // per-request timeouts. A plain call rather than an AbortSignal passed to got, whose
  // listeners cost about a tenth of a check's CPU time (measured with node:http).
  const timer = setTimeout(() => {
    timedOut = true;
    exchange.abort(Object.assign(new Error('check timed out'), { code: 'ETIMEDOUT' }));
  }, target.timeoutMs);
  const onAbort = () => exchange.abort(aborted(options.signal!));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const done = await exchange.done;
    if (options.signal?.aborted) throw aborted(options.signal);
    const verdict = await judge(target, done, recorder, timedOut, start, context);
    const result = buildResult(target, options, startedAt, done, recorder.phases(done.endAt), verdict, start);
    logResult(options.logger ?? noopLogger, result);
    return result;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function logResult(log: Logger, result: CheckResult): void {
  const fields = { targetId: result.targetId, statusCode: result.statusCode, responseTimeMs: result.responseTimeMs };
  if (result.outcome === 'up') log.debug(fields, 'check completed');
  else log.info({ ...fields, reason: result.reason, errorCode: result.error?.code }, 'check failed');
}
