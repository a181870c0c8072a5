// A few hundred malformed configs (wrong types, missing and unknown keys, huge values, odd
// unicode) made from config/example.yaml: each is refused with a config error listing its
// problems and exit code 2 — never another error, which would be exit 1 with a stack trace.
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { loadConfig } from '@sitewatch/service';
import { expectOnlyConfigErrors } from '../../../tools/testing/config-fuzz.js';
import { checkConsumerConfig, consumerConfigSchema } from './config.js';

const example = path.resolve(import.meta.dirname, '../../../config/example.yaml');
const options = { schema: consumerConfigSchema, env: {}, check: checkConsumerConfig };

it('refuses every malformed config with its problems listed, and nothing else', () => {
  // Only the sections the consumer checks: the producer's are its own business.
  const { checker: _checker, producer: _producer, ...base } = structuredClone(loadConfig<Record<string, unknown>>(example, options).config);
  const refused = expectOnlyConfigErrors((file) => loadConfig(file, options), base);
  expect(refused).toBeGreaterThan(150);
});
