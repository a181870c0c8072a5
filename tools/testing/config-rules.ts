// The test that a set of options has one source of truth: each rule of a library, given once
// to a service's config loader (as a config file) and once to the library (as code), must
// come back as the same problem at the same JSON Pointer, counted from where the options sit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { isSitewatchError, type Problem } from '@sitewatch/schema';

/** One rule, as a mistake made in a config file and the same mistake made in code. */
export interface OptionsRule {
  /** The mistake in a config file: merged into the sections of the base config... */
  config: Record<string, object>;
  /** ...reported there... */
  path: string;
  /** ...and given to the library (a call that must throw), */
  library: () => unknown;
  /** which reports it here. */
  libraryPath: string;
}

/** The problems of the SitewatchError `call` throws; fails when it throws nothing, rethrows any other error. */
export function problemsOf(call: () => unknown): readonly Problem[] {
  try {
    call();
  } catch (error) {
    if (isSitewatchError(error)) return error.problems;
    throw error;
  }
  throw new Error('expected a refusal');
}

/**
 * One test per rule: the library reports exactly one problem, and loading `base` with the
 * rule's change (through `load`, a service's loadConfig) reports exactly that problem at `path`.
 */
export function itReportsEachRuleOnce(rules: Record<string, OptionsRule>, base: Record<string, object>, load: (file: string) => unknown): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-rules-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const configProblems = (change: Record<string, object>) => {
    const file = path.join(dir, 'sitewatch.yaml');
    fs.writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(base).map(([section, value]) => [section, { ...value, ...change[section] }]))));
    return problemsOf(() => load(file));
  };
  it.each(Object.entries(rules))('%s: the same problem from the config file and from the library', (_name, rule) => {
    const fromLibrary = problemsOf(rule.library);
    expect(fromLibrary).toEqual([{ path: rule.libraryPath, message: expect.any(String) }]);
    expect(configProblems(rule.config)).toEqual([{ path: rule.path, message: fromLibrary[0]!.message }]);
  });
}

/** A folder for the files the rules name, removed after the test file. */
export function ruleFiles(): { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-rule-files-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir };
}
