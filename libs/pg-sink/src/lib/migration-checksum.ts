// What a migration's checksum covers: its SQL without comments, whitespace collapsed, so a
// migration can be documented after databases applied it while a change of what it does is
// still refused. Releases before this recorded the SHA-256 of the whole file; a ledger row
// holding that (of the file as it is, or as it was before its comments changed, listed in
// the set's previous-checksums.json) is accepted and rewritten to the new form.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The file, next to a set's migrations, listing whole-file checksums of earlier texts: `{ "00005_name.sql": ["<sha256 hex>"] }`. */
export const previousChecksumsFile = 'previous-checksums.json';

// Literals and quoted names are kept as they are (E'' strings with backslash escapes, '' and
// "" with doubled quotes, dollar-quoted bodies whole); a comment or a run of whitespace
// outside them is one gap. A nested block comment is cut at its first `*/`: what is left of
// it is kept, so its text still counts (the safe side).
const tokens = /[eE]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/|\s+|[^'"$\-/\s]+|[\s\S]/g;

/** The SQL of a migration without its comments, every gap between tokens one space. */
export function sqlWithoutComments(sql: string): string {
  let text = '';
  let gap = false;
  for (const [token] of sql.matchAll(tokens)) {
    if (/^(\s|--|\/\*)/.test(token)) {
      gap = text !== '';
      continue;
    }
    text += gap ? ` ${token}` : token;
    gap = false;
  }
  return text;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The checksum recorded for a migration: SHA-256 of its SQL without comments, hex. */
export function migrationChecksum(sql: string): string {
  return sha256(sqlWithoutComments(sql));
}

/** Checksums earlier releases recorded for a file: its whole text now, and those listed for it. */
export function earlierChecksums(sql: string, listed: readonly string[] = []): string[] {
  return [sha256(sql), ...listed];
}

/** The set's previous-checksums.json, by file name; none when the set has no such file. */
export async function readPreviousChecksums(dir: string): Promise<Record<string, string[]>> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, previousChecksumsFile), 'utf8')) as Record<string, string[]>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}
