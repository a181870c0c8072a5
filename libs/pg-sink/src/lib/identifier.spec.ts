import { describe, expect, it } from '@jest/globals';
import { isSqlIdentifier } from './identifier.js';

describe('isSqlIdentifier', () => {
  it.each(['sitewatch', '_x', 'schema_migrations', 't_0a9', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(isSqlIdentifier(name)).toBe(true);
  });

  it.each(['', 'Sitewatch', '9lives', 'a-b', 'public; drop', 'a b', 'é', 'a'.repeat(64), 'x\n'])('refuses %j', (name) => {
    expect(isSqlIdentifier(name)).toBe(false);
  });
});
