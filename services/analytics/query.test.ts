import { describe, expect, it } from 'vitest';
import { readOnlyStatement, ReadOnlyViolationError } from './query.ts';

describe('readOnlyStatement', () => {
  it.each([
    'DROP TABLE documents',
    "INSERT INTO documents (id) VALUES ('x')",
    'SELECT 1; DROP TABLE documents',
    'select 1;drop table x;',
    'ALTER TABLE documents DELETE WHERE 1',
    'TRUNCATE documents',
    'SET readonly = 0',
    'SYSTEM STOP MERGES',
    '/* SELECT */ DELETE FROM documents WHERE 1',
    'CREATE TABLE x (a Int8) ENGINE = Memory',
    'SELECT 1 FORMAT CSV',
    '',
  ])('refuses %j', (sql) => {
    expect(() => readOnlyStatement(sql)).toThrow(ReadOnlyViolationError);
  });

  it('wraps queries so ClickHouse itself enforces readonly for this query only', () => {
    expect(readOnlyStatement('SELECT 1;')).toBe('SELECT * FROM (\nSELECT 1\n) SETTINGS readonly = 1');
    expect(readOnlyStatement('  -- funnel\n with x AS (SELECT 1) SELECT * FROM x')).toMatch(/^SELECT \* FROM \(\n-- funnel\n with x/);
  });

  it('accepts semicolons inside strings and comments, and the other read statements', () => {
    expect(() => readOnlyStatement("SELECT 'a;b' AS s -- c;d")).not.toThrow();
    expect(readOnlyStatement('SHOW TABLES')).toBe('SHOW TABLES');
    expect(readOnlyStatement('DESCRIBE TABLE documents')).toBe('DESCRIBE TABLE documents');
  });
});
