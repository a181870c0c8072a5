// Shared jest settings. TypeScript is compiled by swc to ES modules (got is ESM-only),
// so jest runs with --experimental-vm-modules (see each project's `test` script).
import path from 'node:path';

const here = import.meta.dirname;

function baseConfig(rootDir) {
  return {
    rootDir,
    displayName: path.basename(rootDir),
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
      ],
    },
    // Sources import siblings as './x.js' (nodenext); map them back to the .ts file.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    // Workspace packages resolve to their TypeScript sources, not to dist/.
    testEnvironmentOptions: { customExportConditions: ['@sitewatch/source', 'node', 'node-addons'] },
    reporters: ['default', path.join(here, 'summary-reporter.mjs')],
  };
}

/** Unit tests: `src/**\/*.spec.ts`, no services. */
export function unitConfig(rootDir) {
  return { ...baseConfig(rootDir), testMatch: ['<rootDir>/src/**/*.spec.ts'] };
}

/**
 * Integration and end-to-end tests: `test/**\/*.int.spec.ts`, against the real Kafka
 * broker and PostgreSQL that the global set-up makes available once per run.
 */
export function integrationConfig(rootDir) {
  return {
    ...baseConfig(rootDir),
    testMatch: ['<rootDir>/test/**/*.int.spec.ts'],
    globalSetup: path.join(here, 'global-setup.mjs'),
    globalTeardown: path.join(here, 'global-teardown.mjs'),
    testTimeout: 60_000,
    // One broker and one database server on a 2-core machine: files run one at a time.
    maxWorkers: 1,
  };
}
