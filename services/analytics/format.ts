import type { QueryResult } from './query.ts';

export type OutputFormat = 'table' | 'csv' | 'json';

/** Renders a query result for the terminal (aligned table), spreadsheets (RFC 4180 CSV) or programs (JSON lines). */
export function formatResult(result: QueryResult, format: OutputFormat): string {
  const names = result.columns.length ? result.columns.map((c) => c.name) : Object.keys(result.rows[0] ?? {});
  if (format === 'json') return result.rows.map((r) => JSON.stringify(r)).join('\n');
  if (format === 'csv') return [names, ...result.rows.map((r) => names.map((n) => cell(r[n])))].map((line) => line.map(csvField).join(',')).join('\n');
  return table(names, result.rows.map((r) => names.map((n) => cell(r[n]))), result.columns.map((c) => /Int|Float|Decimal/.test(c.type)));
}

export function table(header: string[], rows: string[][], numeric: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
