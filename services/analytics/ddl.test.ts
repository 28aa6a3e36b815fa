import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../platform/clickhouse.ts';
import { topicCatalogue } from '../platform/catalogue.ts';
import { sampleValues } from '../../test/fixtures/records.ts';
import { applyDdl, describeTable, generateTablesSql, tablesFile } from './ddl.ts';
import { analyticsTables, KAFKA_COLUMNS, tableForTopic } from './tables.ts';

const tables = analyticsTables();
let client: ClickHouseClient;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-ddl-'));

beforeAll(async () => {
  ({ client } = await createClickHouse({ FLYWHEEL_HOME: home }));
});
afterAll(async () => {
  await client?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ClickHouse DDL derived from the Avro schemas', () => {
  it('deploy/clickhouse/010_tables.sql is up to date (run `npx tsx services/analytics/ddl.ts`)', () => {
    expect(fs.readFileSync(tablesFile, 'utf8')).toBe(generateTablesSql());
  });

  it('has a table for every catalogue topic', () => {
    for (const topic of topicCatalogue().all()) expect(tableForTopic(tables, topic.name).schema).toBe(topic.value);
  });

  it('applies idempotently, and the tables ClickHouse reports match the schemas column by column', async () => {
    const first = await applyDdl(client, 'ddl_check', tables);
    const second = await applyDdl(client, 'ddl_check', tables);
    expect(second).toEqual({ statements: first.statements, addedColumns: [] });
    for (const spec of tables) {
      const actual = await describeTable(client, 'ddl_check', spec.table);
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      // ClickHouse backquotes fewer tuple element names than we do (`to`, `index`): compare without quotes
      const unquoted = (c: { name: string; type: string }) => ({ name: c.name, type: c.type.replace(/`/g, '') });
      expect(actual.map(unquoted).sort(byName), spec.table).toEqual(spec.columns.map(unquoted).sort(byName));
    }
  });

  it('every field of every sample record lands in a column, and the rows insert', async () => {
    await applyDdl(client, 'ddl_rows', tables);
    for (const [topic, value] of Object.entries(sampleValues())) {
      const spec = tableForTopic(tables, topic);
      const row = spec.mapping.toRow(value as unknown as Record<string, unknown>);
      expect(Object.keys(row).sort(), topic).toEqual(spec.columns.filter((c) => !KAFKA_COLUMNS.includes(c)).map((c) => c.name).sort());
      await client.insert({ table: `ddl_rows.${spec.table}`, values: [{ ...row, kafka_topic: topic, kafka_partition: 0, kafka_offset: 0 }], format: 'JSONEachRow', clickhouse_settings: { input_format_skip_unknown_fields: 0 } });
    }
    const trajectory = await (await client.query({ query: 'SELECT judge_correct, policy_model, steps[1].tool_call_name AS tool, steps[2].tool_call_name AS none, llm_model FROM ddl_rows.trajectories LIMIT 1', format: 'JSONEachRow' })).json();
    expect(trajectory).toEqual([{ judge_correct: true, policy_model: 'scripted', tool: 'search', none: null, llm_model: null }]);
    const dlq = await (await client.query({ query: 'SELECT original_value, original_headers FROM ddl_rows.dead_letters', format: 'JSONEachRow' })).json();
    expect(dlq).toEqual([{ original_value: Buffer.from([1, 2, 3]).toString('base64'), original_headers: { a: 'b' } }]);
  });

  it('adds a column a schema gained to an existing table', async () => {
    await applyDdl(client, 'ddl_evolve', tables);
    await client.command({ query: 'ALTER TABLE ddl_evolve.documents DROP COLUMN lang' });
    const result = await applyDdl(client, 'ddl_evolve', tables);
    expect(result.addedColumns).toEqual(['documents.lang']);
  });
});
