// `npm run test-laptop -w e2e`: test/*.laptop.spec.ts, which bring up a stack of their own
// (no global set-up: they must not find the test run's services). Run by .ci/run, not by `npm test`.
import { unitConfig } from '../tools/jest/preset.mjs';

export default { ...unitConfig(import.meta.dirname), testMatch: ['<rootDir>/test/**/*.laptop.spec.ts'] };
