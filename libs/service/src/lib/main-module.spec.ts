import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isMainModule } from './main-module.js';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'main-module-')));
const main = path.join(dir, 'main.js');
fs.writeFileSync(main, '');
fs.symlinkSync(main, path.join(dir, 'sitewatch-producer'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('isMainModule', () => {
  it('is true for the script Node.js runs, also through a link to it (a bin), and false for any other module', () => {
    const url = pathToFileURL(main).href;
    expect(isMainModule(url, ['node', main])).toBe(true);
    expect(isMainModule(url, ['node', path.join(dir, 'sitewatch-producer')])).toBe(true);
    expect(isMainModule(url, ['node', path.join(dir, 'cli.js')])).toBe(false);
    expect(isMainModule(url, ['node'])).toBe(false);
  });
});
