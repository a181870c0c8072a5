import { unitConfig } from '../../tools/jest/preset.mjs';

export default unitConfig(import.meta.dirname);
