import path from 'node:path';
import type { PlatformConfig } from '../platform/config.ts';
import { createClickHouse, type ClickHouseClient } from '../platform/clickhouse.ts';
import { FlywheelError } from '../platform/errors.ts';
import { claimFolder, currentOwner, FolderBusyError } from './owner.ts';
import { ReadOnlyViolationError, readOnlyStatement, runReadOnly, type QueryResult } from './query.ts';

/** Read-only access to the analytics store, wherever it is. */
export interface AnalyticsQuerier {
  /** How queries reach ClickHouse: a server URL, the running sink's endpoint, or the data folder. */
  readonly via: string;
  readonly database: string;
  query(sql: string, params?: Record<string, unknown>): Promise<QueryResult>;
  close(): Promise<void>;
}

export class QueryFailedError extends FlywheelError {
  constructor(message: string) {
    super('QUERY_FAILED', message);
  }
}

type Config = Pick<PlatformConfig, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'FLYWHEEL_HOME' | 'CLICKHOUSE_DATABASE'>;

export function embeddedDataDir(config: Pick<PlatformConfig, 'FLYWHEEL_HOME'>): string {
  return path.join(config.FLYWHEEL_HOME, 'clickhouse');
}

/**
 * Opens the analytics store read-only: a ClickHouse server (CLICKHOUSE_URL, readonly=1 on every request);
 * else, if the analytics service owns the embedded folder, its POST /query endpoint; else the folder itself,
 * claimed for as long as this querier is open.
 */
export async function openQuerier(config: Config): Promise<AnalyticsQuerier> {
  const database = config.CLICKHOUSE_DATABASE;
  if (config.CLICKHOUSE_URL) {
    const { client, location } = await createClickHouse(config, { readonly: true });
    return clientQuerier(client, `server ${location}`, database, async () => client.close());
  }
  const dataDir = embeddedDataDir(config);
  const owner = currentOwner(dataDir);
  if (owner) {
    if (!owner.url) throw new FolderBusyError(`${dataDir} is held by ${owner.holder} (pid ${owner.pid}), which serves no queries; try again when it is done`);
    return endpointQuerier(owner.url, database);
  }
  const release = claimFolder(dataDir, { database, holder: 'a flywheel query (sql/report)' });
  try {
    const { client } = await createClickHouse(config);
    const exists = await client.query({ query: 'EXISTS DATABASE {db:Identifier}', query_params: { db: database }, format: 'JSONEachRow' });
    const [row] = await exists.json<Record<string, number>>();
    if (Number(Object.values(row ?? {})[0]) === 1) await client.command({ query: `USE ${database}` }); // names resolve in the analytics database
    return clientQuerier(client, `embedded ${dataDir}`, database, async () => {
      await client.close();
      release();
    });
  } catch (error) {
    release();
    throw error;
  }
}

function clientQuerier(client: ClickHouseClient, via: string, database: string, close: () => Promise<void>): AnalyticsQuerier {
  return {
    via,
    database,
    async query(sql, params) {
      try {
        return await runReadOnly(client, sql, params);
      } catch (error) {
        if (error instanceof ReadOnlyViolationError) throw error;
        throw new QueryFailedError((error as Error).message);
      }
    },
    close,
  };
}

/** Queries through the analytics service that owns the embedded folder. */
export function endpointQuerier(baseUrl: string, database: string): AnalyticsQuerier {
  return {
    via: `analytics service ${baseUrl}`,
    database,
    async query(sql, params = {}) {
      readOnlyStatement(sql); // refuse locally too: a clear error without a round trip
      let response: Response;
      try {
        response = await fetch(new URL('/query', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, params }) });
      } catch (error) {
        throw new FolderBusyError(`the analytics service at ${baseUrl} owns the embedded ClickHouse folder but does not answer: ${(error as Error).message}`);
      }
      const body = (await response.json()) as QueryResult & { error?: string; code?: string };
      if (!response.ok) throw body.code === 'READ_ONLY' ? new ReadOnlyViolationError(body.error ?? 'refused') : new QueryFailedError(body.error ?? `HTTP ${response.status}`);
      return { columns: body.columns, rows: body.rows };
    },
    async close() {},
  };
}
