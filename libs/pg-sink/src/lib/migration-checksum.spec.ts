import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { earlierChecksums, migrationChecksum, sqlWithoutComments } from './migration-checksum.js';
import { loadMigrations } from './migrate.js';

const sql = `-- Why this table exists.
create table t (
  id integer, -- the key
  /* a block
     comment */ note text default '-- not a comment', "odd--name" text
);
create function f() returns text language sql as $body$ select 'x' -- kept: inside the body
$body$;
select E'it\\'s -- still a string', $1;
`;

describe('sqlWithoutComments', () => {
  it('drops comments outside literals and collapses whitespace, keeping strings, quoted names and dollar bodies whole', () => {
    expect(sqlWithoutComments(sql)).toBe(
      "create table t ( id integer, note text default '-- not a comment', \"odd--name\" text ); create function f() returns text language sql as $body$ select 'x' -- kept: inside the body\n$body$; select E'it\\'s -- still a string', $1;",
    );
  });
});

describe('migrationChecksum', () => {
  it('is the same when only comments or layout change', () => {
    const documented = `-- A longer explanation,\n-- over two lines.\n${sql.replace('-- the key', '-- the key, a UUIDv7').replaceAll('\n  ', '\n    ')}\n\n`;
    expect(migrationChecksum(documented)).toBe(migrationChecksum(sql));
  });

  it('changes with the SQL, a string or a dollar-quoted body', () => {
    for (const changed of [sql.replace('integer', 'bigint'), sql.replace("'-- not a comment'", "'-- not a comment!'"), sql.replace('kept: inside', 'kept inside')]) {
      expect(migrationChecksum(changed)).not.toBe(migrationChecksum(sql));
    }
  });

  it("accepts what earlier releases recorded: the whole file's SHA-256, and those listed", () => {
    const whole = createHash('sha256').update(sql).digest('hex');
    expect(earlierChecksums(sql, ['abc'])).toEqual([whole, 'abc']);
  });
});

describe('the migrations this package ships', () => {
  it('each mean something without comments', async () => {
    for (const migration of await loadMigrations()) expect(sqlWithoutComments(migration.sql).length).toBeGreaterThan(20);
  });
});
