// Records each jest run's totals, with the Node.js version and the user it ran on (and the
// PostgreSQL version, when tools/testing/with-postgres.ts chose the server), so .ci/run can
// print one line per runtime and one summed over all projects. Active only when
// SITEWATCH_TEST_SUMMARY_DIR is set.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.SITEWATCH_TEST_SUMMARY_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      // From the workspace root (jest runs in the project's folder, so not from the cwd).
      project: path.relative(path.join(import.meta.dirname, '../..'), this.rootDir) || '.',
      node: process.version,
      user: os.userInfo().username,
      ...(process.env.SITEWATCH_TEST_POSTGRES && { postgres: process.env.SITEWATCH_TEST_POSTGRES }),
      passed: results.numPassedTests,
      // A file that fails to load has no failed tests but is a failure all the same.
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${randomUUID()}.json`), JSON.stringify(summary));
  }
}
