// The one rule for the names sitewatch writes into SQL text itself (the schema of its tables,
// a migration ledger): lower case, so never quoted nor folded, and within PostgreSQL's 63 bytes.

/** A lower-case SQL identifier (a-z or _, then a-z, 0-9, _; 63 characters at most), as JSON Schema `pattern` text. */
export const sqlIdentifierPattern = '^[a-z_][a-z0-9_]{0,62}$';

const sqlIdentifier = new RegExp(sqlIdentifierPattern);

/** Whether `name` matches sqlIdentifierPattern. */
export function isSqlIdentifier(name: string): boolean {
  return sqlIdentifier.test(name);
}
