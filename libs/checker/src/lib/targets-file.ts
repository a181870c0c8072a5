// A targets file: the targets of one machine (`checker.targetsFile` of a config file) or of a
// fleet's registry (`sitewatch-targets apply`), with defaults for their settings: one schema
// and the rules of compileTargets(), as for a config file's `checker.targets`.
import { isSitewatchError, targetSchema, targetSettingsSchema, type Problem, type Target, type TargetSettings } from '@sitewatch/schema';
import { checkerErrorCodes } from './errors.js';
import { compileTargets } from './target.js';

/** A targets file: the targets, and defaults for their settings. */
export interface TargetsFile {
  defaults?: TargetSettings;
  targets: Target[];
}

/** The JSON Schema of a targets file (YAML), for loadConfig() of @sitewatch/service. */
export const targetsFileSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: { $schema: { type: 'string' }, defaults: targetSettingsSchema, targets: { type: 'array', items: targetSchema } },
} as const;

/** What the schema cannot see (regexes that do not compile, duplicate ids, a timeout past the interval...), by JSON Pointer into the file. */
export function checkTargetsFile(file: TargetsFile): Problem[] {
  try {
    compileTargets(file.targets, file.defaults);
    return [];
  } catch (error) {
    if (!isSitewatchError(error, checkerErrorCodes)) throw error;
    return [...error.problems];
  }
}
