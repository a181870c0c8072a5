// A few hundred malformed configs (wrong types, missing and unknown keys, huge values, odd
// unicode) made from config/example.yaml: each is refused with a ConfigError listing its
// problems and exit code 2 — never another error, which would be exit 1 with a stack trace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { isConfigError, loadConfig, reportStartupError } from '@sitewatch/service';
import fc from 'fast-check';
import { mutatedConfigs } from '../../../tools/testing/config-fuzz.js';
import { checkProducerConfig, producerConfigSchema } from './config.js';

const example = path.resolve(import.meta.dirname, '../../../config/example.yaml');
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-fuzz-')), 'config.json');
const options = { schema: producerConfigSchema, env: {}, check: checkProducerConfig };

it('refuses every malformed config with its problems listed, and nothing else', () => {
  const base = structuredClone(loadConfig<object>(example, options).config);
  let refused = 0;
  fc.assert(
    fc.property(mutatedConfigs(base), (config) => {
      fs.writeFileSync(file, JSON.stringify(config));
      try {
        loadConfig(file, options);
      } catch (error) {
        if (!isConfigError(error)) throw error;
        refused += 1;
        expect(error.problems.length).toBeGreaterThan(0);
        for (const problem of error.problems) expect(problem.message).toMatch(/\S/);
        let output = '';
        expect(reportStartupError(error, [], { write: (text: string) => (output += text) })).toBe(2);
        expect(output).not.toMatch(/^\s+at /m);
      }
    }),
    { numRuns: 300 },
  );
  // Most mutations break the config; a few (a new unknown key under headers, say) do not.
  expect(refused).toBeGreaterThan(200);
});
