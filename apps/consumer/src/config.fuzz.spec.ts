// A few hundred malformed configs (wrong types, missing and unknown keys, huge values, odd
// unicode) made from config/example.yaml: each is refused with a config error listing its
// problems and exit code 2 — never another error, which would be exit 1 with a stack trace.
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { expectOnlyConfigErrors } from '../../../tools/testing/config-fuzz.js';
import { loadConsumerConfig } from './config.js';

const example = path.resolve(import.meta.dirname, '../../../config/example.yaml');
const load = (file: string) => loadConsumerConfig(file, {});

it('refuses every malformed config with its problems listed, and nothing else', () => {
  // Only the sections the consumer reads: the producer's are its own business.
  const base = structuredClone(load(example).config);
  const refused = expectOnlyConfigErrors(load, base);
  expect(refused).toBeGreaterThan(150);
});
