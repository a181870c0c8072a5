// Writes the JSON Schemas of the messages, for readers and writers in other languages, from
// the one TypeScript source of each (libs/schema): the CheckResult (`checkResultSchema`) and
// the registry's target record (`targetRecordSchema`), as files shipped in @sitewatch/schema
// (libs/schema/schemas/). The frozen copies of earlier revisions beside them
// (check-result.v1.0.json, check-result.v1.1.json) are not written here: they stay as they
// were released. From the sources, not the build, so the check needs no build and sees the
// code as it is.
//   npm run message:schemas                    write them
//   npx tsx tools/message-schemas.ts --check  fail if one is stale (CI)
import path from 'node:path';
import { checkResultSchema, targetRecordSchema } from '../libs/schema/src/index.js';
import { root, writeOrCheck } from './generated-files.js';

const folder = path.join(root, 'libs/schema/schemas');

const targetRecordFile = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://sitewatch.dev/schemas/target-record/v1.json',
  title: 'TargetRecord',
  description: 'The value of the registry topic (key = the target id; no value removes the target): a target with every setting, version 1.',
  ...targetRecordSchema,
};

const json = (schema: object) => `${JSON.stringify(schema, null, 2)}\n`;

writeOrCheck(
  [
    [path.join(folder, 'check-result.v1.json'), json(checkResultSchema)],
    [path.join(folder, 'target-record.v1.json'), json(targetRecordFile)],
  ],
  'npm run message:schemas',
);
