import type { ClickHouseClient } from '../platform/clickhouse.ts';
import { FlywheelError } from '../platform/errors.ts';

/** A statement `flywheel sql` refuses: anything that could write or change settings. */
export class ReadOnlyViolationError extends FlywheelError {
  constructor(message: string) {
    super('READ_ONLY', message);
  }
}

export interface QueryResult {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
}

const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'EXISTS']);

/**
 * Checks that `sql` is one read statement and returns the text to run. Two independent guards: this check
 * (one statement; it starts with SELECT/WITH/SHOW/DESCRIBE/EXPLAIN/EXISTS), and ClickHouse's own
 * `readonly = 1` on the query. SELECT and WITH are wrapped as `SELECT * FROM (…)`, which ClickHouse can
 * only parse for a query, and the setting goes in the query's SETTINGS clause so it applies to this query
 * alone (the embedded engine would otherwise keep a session-level SET for the writes that follow).
 */
export function readOnlyStatement(sql: string): string {
  const body = stripTrailing(sql);
  if (!body) throw new ReadOnlyViolationError('empty query');
  if (hasStatementSeparator(body)) throw new ReadOnlyViolationError('only one statement per query (found ";")');
  const keyword = firstKeyword(body);
  if (!READ_KEYWORDS.has(keyword)) {
    throw new ReadOnlyViolationError(`read-only: ${keyword || 'this'} statements are refused (allowed: ${[...READ_KEYWORDS].join(', ')})`);
  }
  if (/\bFORMAT\s+\w+\s*$/i.test(body)) throw new ReadOnlyViolationError('leave out FORMAT: use --format table|csv|json');
  if (keyword === 'SELECT' || keyword === 'WITH') return `SELECT * FROM (\n${body}\n) SETTINGS readonly = 1`;
  return body;
}

/** Runs one read-only statement and returns its columns (in order, with types) and rows. */
export async function runReadOnly(client: ClickHouseClient, sql: string, params: Record<string, unknown> = {}): Promise<QueryResult> {
  const query = readOnlyStatement(sql);
  const result = await client.query({ query, format: 'JSON', query_params: params });
  const json = (await result.json()) as { meta?: Array<{ name: string; type: string }>; data?: Array<Record<string, unknown>> };
  return { columns: json.meta ?? [], rows: json.data ?? [] };
}

function stripTrailing(sql: string): string {
  let text = sql.trim();
  while (text.endsWith(';')) text = text.slice(0, -1).trimEnd();
  return text;
}

/** The first word outside comments and opening parentheses, upper-cased. */
function firstKeyword(sql: string): string {
  const text = sql.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()+/, '');
  return (/^[A-Za-z]+/.exec(text)?.[0] ?? '').toUpperCase();
}

/** True when a `;` appears outside string literals, quoted identifiers and comments. */
function hasStatementSeparator(sql: string): boolean {
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < sql.length && sql[i] !== c; i++) if (sql[i] === '\\') i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === ';') {
      return true;
    }
  }
  return false;
}
