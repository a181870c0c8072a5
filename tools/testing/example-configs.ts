// The example config files of config/, copied into a temporary folder next to the files they
// name (the Aiven example's ca.pem, service.cert, service.key and pg-ca.pem, as placeholder
// PEM), so that loading them also passes the checks that read those files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const configDir = path.resolve(import.meta.dirname, '../../config');
const placeholderPem = '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n';

/** A folder holding copies of config/*.yaml and the files they name; `remove()` deletes it. */
export function exampleConfigs(): { dir: string; file(name: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-examples-'));
  for (const name of fs.readdirSync(configDir).filter((file) => file.endsWith('.yaml'))) fs.copyFileSync(path.join(configDir, name), path.join(dir, name));
  for (const name of ['ca.pem', 'service.cert', 'service.key', 'pg-ca.pem']) fs.writeFileSync(path.join(dir, name), placeholderPem);
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
