// Body regexes and JSON conditions run in one worker thread, with a deadline. re2js matches in
// linear time, so a hostile page cannot trigger catastrophic backtracking; but linear can still
// mean seconds for a large body and a pattern whose automaton is big (measured: 2.8 s for a
// 1 MiB body and a 166-character pattern), and that must not block the event loop that times
// every other check. JSON.parse is linear too, and slow enough at the body cap to matter:
// 14 ms of CPU for 1 MiB, 1.4 s and 650 MB of heap for 64 MiB (measured on Node.js 20); one
// worker also means one such parse at a time. A small JSON body without regexes (a health
// endpoint's) is judged on this thread: its parse costs less than posting it to the worker,
// and it does not wait behind another target's slow match (`inlineJsonBytes`).
// Past its deadline a job is abandoned; if it still runs a little later, its worker is
// terminated and replaced.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { testPattern } from './assertions.js';
import { conditionFunctions, judgeJson, type ConditionFailure, type JsonCheck } from './conditions.js';

/** The patterns of a target. */
export interface BodyPatterns {
  mustMatch?: string;
  mustNotMatch?: string;
}

/** Whether each pattern matched somewhere in the body. */
export interface PatternMatches {
  mustMatch?: boolean;
  mustNotMatch?: boolean;
}

/** What to look for in a body: the patterns, and the JSON conditions if any. */
export interface BodyWork {
  patterns: BodyPatterns;
  json?: readonly JsonCheck[];
}

/** What was found: each pattern's answer, and the JSON conditions' failure (none when they hold, or were not asked). */
export interface BodyFindings {
  matches: PatternMatches;
  json?: ConditionFailure;
}

interface Job {
  id: number;
  work: BodyWork;
  body: Uint8Array;
  timer: NodeJS.Timeout;
  settle(outcome: BodyFindings | 'timeout' | Error): void;
}

// Plain JavaScript, evaluated as the worker's script: no file to locate next to the sources or
// dist. The JSON conditions are judged by the very functions this thread uses, from their text.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { RE2JS } = require(workerData.re2js);
${conditionFunctions.join('\n')}
const cache = new Map();
const decoder = new TextDecoder('utf-8');
function compiled(pattern) {
  let re = cache.get(pattern);
  if (re === undefined) {
    if (cache.size >= 1000) cache.clear();
    re = RE2JS.compile(pattern);
    cache.set(pattern, re);
  }
  return re;
}
const test = (pattern, value) => compiled(pattern).test(value);
parentPort.on('message', ({ id, work, body }) => {
  try {
    const text = decoder.decode(body);
    const matches = {};
    for (const key of ['mustMatch', 'mustNotMatch']) {
      if (work.patterns[key] !== undefined) matches[key] = test(work.patterns[key], text);
    }
    parentPort.postMessage({ id, findings: { matches, json: work.json && judgeJson(text, work.json, test) } });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

const re2jsPath = createRequire(import.meta.url).resolve('re2js');
const queue: Job[] = [];
let worker: Worker | undefined;
let running: Job | undefined;
let nextId = 0;
let workersStarted = 0;

function startWorker(): Worker {
  workersStarted++;
  const started = new Worker(workerSource, { eval: true, workerData: { re2js: re2jsPath } });
  started.on('message', (message: { id: number; findings?: BodyFindings; error?: string }) => {
    if (started !== worker || running?.id !== message.id) return;
    const job = running;
    running = undefined;
    job.settle(message.findings ?? new Error(message.error));
    dispatch();
  });
  started.on('error', (error) => replaceWorker(started, error));
  // Pending jobs hold a timer, which keeps the process alive; an idle worker must not. (After
  // the listeners: adding one refs the worker again.)
  started.unref();
  return started;
}

function replaceWorker(from: Worker, error: Error): void {
  if (from !== worker) return;
  worker = undefined;
  void from.terminate();
  const job = running;
  running = undefined;
  job?.settle(error);
  dispatch();
}

function dispatch(): void {
  if (running || queue.length === 0) return;
  const job = queue.shift()!;
  running = job;
  worker ??= startWorker();
  worker.postMessage({ id: job.id, work: job.work, body: job.body }, [job.body.buffer as ArrayBuffer]);
}

// How long a job may go on past its check's deadline before its worker is terminated. A new
// worker costs about 65 ms of CPU (a thread, re2js loaded again: measured) where most matches
// end in a few: terminating at every deadline made the worker thrash under load, each
// replacement making the next jobs late too, until no match finished at all.
const overrunGraceMs = 100;

function expire(job: Job): void {
  job.settle('timeout');
  const queued = queue.indexOf(job);
  if (queued >= 0) return void queue.splice(queued, 1);
  if (running !== job || !worker) return;
  const matching = worker;
  // The only way to stop a synchronous match is to end its thread.
  const stop = setTimeout(() => running === job && replaceWorker(matching, new Error('deadline')), overrunGraceMs);
  stop.unref();
}

/**
 * Bodies up to this size (bytes) with JSON conditions and no regex are judged on the calling
 * thread. Measured on this thread's event loop (Node.js 20, a loaded 2-core machine): a job
 * posted to the worker and answered takes 45–70 µs whatever its size, a parse of dense JSON
 * (objects of short fields) 20 µs for 1 KiB, 64 µs for 4 KiB, 240 µs for 16 KiB.
 */
export const inlineJsonBytes = 4 * 1024;

const decoder = new TextDecoder('utf-8');

/**
 * Runs the patterns over the body (decoded as UTF-8) and judges the JSON conditions on it, off
 * the main thread (`inlineJsonBytes` says when not). Resolves `'timeout'` when the answer is
 * not there within `timeoutMs`. The body's buffer is transferred, so it must not be used
 * afterwards. Rejects only on a bug (a pattern that does not compile).
 */
export function examineBody(work: BodyWork, body: Uint8Array, timeoutMs: number): Promise<BodyFindings | 'timeout'> {
  if (work.patterns.mustMatch === undefined && work.patterns.mustNotMatch === undefined && body.byteLength <= inlineJsonBytes) {
    return Promise.resolve({ matches: {}, json: work.json && judgeJson(decoder.decode(body), work.json, testPattern) });
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const job: Job = {
      id: nextId++,
      work,
      body,
      timer: setTimeout(() => expire(job), Math.max(timeoutMs, 0)),
      settle(outcome) {
        if (settled) return;
        settled = true;
        clearTimeout(job.timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      },
    };
    queue.push(job);
    dispatch();
  });
}

/** Workers started so far: the first, and one per job terminated at its deadline. */
export function bodyWorkersStarted(): number {
  return workersStarted;
}
