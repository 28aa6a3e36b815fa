import fs from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { PlatformConfig } from './config.ts';

export type { ClickHouseClient };

/** The embedded engine's fastest insert: a Buffer in a text format, parsed natively (no INSERT string built in JS). */
export type RawInsert = (params: { table: string; values: Buffer; format: 'JSONEachRow'; settings?: Record<string, number> }) => Promise<unknown>;

/**
 * The one place that decides which ClickHouse flywheel talks to: a server when CLICKHOUSE_URL is set,
 * otherwise the embedded engine (chdb) with its data under FLYWHEEL_HOME/clickhouse. Callers only ever see
 * the ordinary @clickhouse/client API.
 *
 * The embedded engine binds one data directory per process and its files must not be opened by two
 * processes at once: the analytics service owns it, and other commands query through it or run when it is
 * stopped (see README, "Analytics").
 */
export async function createClickHouse(
  config: Pick<PlatformConfig, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'FLYWHEEL_HOME'>,
  options: { dataDir?: string; readonly?: boolean } = {},
): Promise<{ client: ClickHouseClient; embedded: boolean; location: string; rawInsert?: RawInsert }> {
  if (config.CLICKHOUSE_URL) {
    const client = createClient({
      url: config.CLICKHOUSE_URL,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
      clickhouse_settings: options.readonly ? { readonly: '1' } : undefined,
    });
    return { client, embedded: false, location: config.CLICKHOUSE_URL };
  }
  const dataDir = options.dataDir ?? path.join(config.FLYWHEEL_HOME, 'clickhouse');
  fs.mkdirSync(dataDir, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  const connection = createChdbConnection({ path: dataDir });
  const client = createClient({ connection } as Parameters<typeof createClient>[0]);
  return { client, embedded: true, location: dataDir, rawInsert: (params) => connection.chdb.rawInsert(params) };
}
