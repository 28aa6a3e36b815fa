import type { AnalyticsQuerier } from '../../analytics/querier.ts';
import { BadRequestError } from '../errors.ts';
import type { FilterSpec, SortSpec, TableSpec } from './specs.ts';

/** What a table URL asks for, validated: unknown sorts, non-numeric rounds and foreign cursors are refused. */
export interface PageRequest {
  filters: Record<string, string>;
  q: string;
  sort: SortSpec;
  dir: 'asc' | 'desc';
  /** Keyset cursor: the page starts after (or ends before) this (sort value, id). */
  after?: [string, string];
  before?: [string, string];
  limit: number;
}

export interface Page {
  rows: Array<Record<string, unknown>>;
  /** Cursor of the next page, when there is one. */
  next?: string;
  /** Cursor of the previous page, when this is not the first. */
  prev?: string;
}

export function parsePageRequest(spec: TableSpec, query: Record<string, string | undefined>, limit: number): PageRequest {
  const filters: Record<string, string> = {};
  for (const f of spec.filters) {
    const value = query[f.key] ?? f.default;
    if (value === undefined || value === '') continue;
    filters[f.key] = checkFilter(f, value);
  }
  const sortKey = query.sort ?? spec.sorts[0].key;
  const sort = spec.sorts.find((s) => s.key === sortKey);
  if (!sort) throw new BadRequestError(`sort: "${sortKey}" is not a sort of ${spec.title} (one of ${spec.sorts.map((s) => s.key).join(', ')})`);
  const dir = query.dir ?? 'desc';
  if (dir !== 'asc' && dir !== 'desc') throw new BadRequestError(`dir: expected asc or desc (got "${dir}")`);
  const q = (query.q ?? '').trim();
  if (q.length > 200) throw new BadRequestError('q: search text longer than 200 characters');
  if (q && !spec.search) throw new BadRequestError(`q: ${spec.title} has no text search`);
  return { filters, q, sort, dir, after: decodeCursor(query.after, 'after'), before: decodeCursor(query.before, 'before'), limit };
}

function checkFilter(f: FilterSpec, value: string): string {
  if (f.type === 'Int32' && !/^-?\d{1,9}$/.test(value)) throw new BadRequestError(`${f.key}: expected a whole number (got "${value}")`);
  if (f.type === 'Float64' && !/^-?\d+(\.\d+)?$/.test(value)) throw new BadRequestError(`${f.key}: expected a number (got "${value}")`);
  if (f.type === 'Bool' && value !== 'true' && value !== 'false') throw new BadRequestError(`${f.key}: expected true or false (got "${value}")`);
  if (f.choices && !f.choices.some(([v]) => v === value)) throw new BadRequestError(`${f.key}: expected one of ${f.choices.map(([v]) => v).join(', ')} (got "${value}")`);
  if (value.length > 200) throw new BadRequestError(`${f.key}: value longer than 200 characters`);
  return value;
}

export function encodeCursor(value: unknown, id: unknown): string {
  return Buffer.from(JSON.stringify([String(value), String(id)])).toString('base64url');
}

function decodeCursor(text: string | undefined, name: string): [string, string] | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return value as [string, string];
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError(`${name}: not a page cursor of this table`);
}

/**
 * One page in ClickHouse: filters, search and the keyset condition as parameters, `ORDER BY <sort>, id`
 * and `LIMIT n + 1` (the extra row tells whether a next page exists). Never OFFSET: page 10,000 costs
 * what page 1 costs.
 */
export function pageQuery(db: string, spec: TableSpec, req: PageRequest): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { limit: req.limit + 1 };
  const where: string[] = spec.where ? [spec.where] : [];
  for (const f of spec.filters) {
    if (req.filters[f.key] === undefined) continue;
    where.push(f.sql);
    params[`f_${f.key}`] = req.filters[f.key];
  }
  if (req.q && spec.search) {
    where.push(spec.search);
    params.q = req.q;
  }
  const backwards = !!req.before && !req.after;
  const cursor = req.after ?? req.before;
  // going backwards reverses the order; the rows are put back in page order afterwards
  const descending = (req.dir === 'desc') !== backwards;
  const bySortOnly = req.sort.key === 'id';
  if (cursor) {
    const op = descending ? '<' : '>';
    where.push(bySortOnly ? `id ${op} {c_id:String}` : `(${req.sort.sql}, id) ${op} ({c_sort:${req.sort.type}}, {c_id:String})`);
    params.c_sort = cursor[0];
    params.c_id = cursor[1];
  }
  // shown columns get aliases no filter can mistake for a column (ClickHouse resolves aliases first)
  const columns = spec.columns.map((c) => `${c.sql} AS __c_${c.key}`);
  const direction = descending ? 'DESC' : 'ASC';
  const order = bySortOnly ? `ORDER BY id ${direction}` : `ORDER BY ${req.sort.sql} ${direction}, id ${direction}`;
  const from = `FROM ${db}.${spec.table} FINAL`;
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // Two steps: the page's ids first (reading only the filter and sort columns of the whole table), then the
  // shown columns of just those rows, found through the primary key. Reading a text column for every matching
  // row of a large table would cost more than the rest of the query.
  const sql = [
    `SELECT ${columns.join(', ')}, ${req.sort.sql} AS __sort, id AS __id`,
    from,
    `${filter ? `${filter} AND` : 'WHERE'} id IN (SELECT id ${from} ${filter} ${order} LIMIT {limit:UInt32})`,
    order,
    'LIMIT {limit:UInt32}',
  ].join('\n');
  return { sql, params };
}

export async function loadPage(querier: AnalyticsQuerier, spec: TableSpec, req: PageRequest): Promise<Page> {
  const { sql, params } = pageQuery(querier.database, spec, req);
  const result = await querier.query(sql, params);
  const more = result.rows.length > req.limit;
  const backwards = !!req.before && !req.after;
  let rows = result.rows.slice(0, req.limit).map((row) => {
    const out: Record<string, unknown> = { __sort: row.__sort, __id: row.__id };
    for (const c of spec.columns) out[c.key] = row[`__c_${c.key}`];
    return out;
  });
  if (backwards) rows = rows.reverse();
  const cursorOf = (row: Record<string, unknown> | undefined) => (row ? encodeCursor(row.__sort, row.__id) : undefined);
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : !!req.after;
  return { rows, next: hasNext ? cursorOf(rows.at(-1)) : undefined, prev: hasPrev ? cursorOf(rows[0]) : undefined };
}

const OPTIONS_TTL_MS = 30_000;
const optionsCache = new WeakMap<AnalyticsQuerier, Map<string, { at: number; value: Promise<Record<string, string[]>> }>>();

/**
 * Distinct values of each filter with `options`, for its select boxes (ClickHouse sorts them). They change
 * only when new rounds or styles arrive, so they are kept for 30 s: a page of a large table then costs one
 * query, not one full-column scan per select box.
 */
export function filterOptions(querier: AnalyticsQuerier, spec: TableSpec, now = Date.now()): Promise<Record<string, string[]>> {
  let cache = optionsCache.get(querier);
  if (!cache) optionsCache.set(querier, (cache = new Map()));
  const hit = cache.get(spec.kind);
  if (hit && now - hit.at < OPTIONS_TTL_MS) return hit.value;
  const value = loadFilterOptions(querier, spec);
  cache.set(spec.kind, { at: now, value });
  value.catch(() => cache.delete(spec.kind));
  return value;
}

async function loadFilterOptions(querier: AnalyticsQuerier, spec: TableSpec): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const wanted = spec.filters.filter((f) => f.options);
  await Promise.all(
    wanted.map(async (f) => {
      const where = spec.where ? `WHERE ${spec.where}` : '';
      const result = await querier.query(`SELECT DISTINCT ${f.options} AS v FROM ${querier.database}.${spec.table} ${where} ORDER BY v LIMIT 200`);
      out[f.key] = result.rows.map((r) => String(r.v));
    }),
  );
  return out;
}
