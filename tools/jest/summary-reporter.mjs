// Records each jest run's totals so .ci/run can print one line summed over all projects.
// Active only when SITEWATCH_TEST_SUMMARY_DIR is set.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
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
      project: path.relative(process.cwd(), this.rootDir) || '.',
      passed: results.numPassedTests,
      // A file that fails to load has no failed tests but is a failure all the same.
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${randomUUID()}.json`), JSON.stringify(summary));
  }
}
