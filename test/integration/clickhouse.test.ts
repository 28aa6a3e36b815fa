import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse } from '../../services/platform/clickhouse.ts';

describe('embedded ClickHouse through @clickhouse/client', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-ch-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('creates a ReplacingMergeTree, inserts JSONEachRow, deduplicates with FINAL and binds parameters', async () => {
    const { client, embedded, location } = await createClickHouse({ FLYWHEEL_HOME: home });
    expect(embedded).toBe(true);
    expect(location).toBe(path.join(home, 'clickhouse'));
    try {
      await client.command({ query: 'CREATE DATABASE IF NOT EXISTS fw_test' });
      await client.command({ query: 'CREATE TABLE fw_test.docs (id String, round UInt32, chars UInt32) ENGINE = ReplacingMergeTree ORDER BY id' });
      const rows = Array.from({ length: 1000 }, (_, i) => ({ id: `doc_${i % 800}`, round: 1, chars: i }));
      await client.insert({ table: 'fw_test.docs', values: rows, format: 'JSONEachRow' });
      const result = await client.query({
        query: 'SELECT count() AS n, max(chars) AS top FROM fw_test.docs FINAL WHERE round = {round:UInt32}',
        query_params: { round: 1 },
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: string | number; top: number }>();
      // UInt64 arrives quoted from a server and as a number from the embedded engine
      expect(Number(row.n)).toBe(800);
      expect(row.top).toBe(999);
    } finally {
      await client.close();
    }
    // data lives on disk under FLYWHEEL_HOME and survives the client
    expect(fs.readdirSync(path.join(home, 'clickhouse')).length).toBeGreaterThan(0);
  });
});
