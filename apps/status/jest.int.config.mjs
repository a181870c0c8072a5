import { integrationConfig } from '../../tools/jest/preset.mjs';

export default integrationConfig(import.meta.dirname);
