import { describe, expect, it } from 'vitest';
import { thingSchema } from '../../test/fixtures/avro-thing.ts';
import { sampleValues } from '../../test/fixtures/records.ts';
import { mapRecord, type AvroSchema } from './columns.ts';
import { analyticsTables, tableForTopic } from './tables.ts';

describe('Avro → ClickHouse columns', () => {
  const schema = thingSchema;
  const mapping = mapRecord(schema, new Map());

  it('flattens records, keeps nullable records as nullable columns, arrays of records as named tuples', () => {
    expect(mapping.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'id String',
      "at DateTime64(3, 'UTC')",
      'ok Bool',
      'blob Nullable(String)',
      'scores Map(String, Float64)',
      'usage_model Nullable(String)',
      'usage_tokens Nullable(Int64)',
      'owner_name String',
      'owner_tags Array(String)',
      'steps Array(Tuple(`to` Int32, call_tool Nullable(String)))',
      'kind LowCardinality(String)',
      'again_model String', // a named type defined earlier in the same schema
      'again_tokens Int64',
    ]);
  });

  it('renders values for JSONEachRow: nulls through nullable parents, bytes as base64, tuples as objects', () => {
    const row = mapping.toRow({
      id: 'a', at: 1_700_000_000_000, ok: true, blob: Buffer.from([1, 2]), scores: { q: 0.5 }, usage: null,
      owner: { name: 'n', tags: ['t'] }, steps: [{ to: 1, call: { tool: 'search' } }, { to: 2, call: null }], kind: 'B', again: { model: 'm', tokens: 3 },
    });
    expect(row).toEqual({
      id: 'a', at: 1_700_000_000_000, ok: true, blob: 'AQI=', scores: { q: 0.5 }, usage_model: null, usage_tokens: null,
      owner_name: 'n', owner_tags: ['t'], steps: [{ to: 1, call_tool: 'search' }, { to: 2, call_tool: null }], kind: 'B', again_model: 'm', again_tokens: 3,
    });
  });

  it('renders the JSONEachRow line in one pass exactly as JSON.stringify renders the row', () => {
    const values = [
      {
        id: 'a"\n\u2028', at: 1_700_000_000_000, ok: true, blob: Buffer.from([1, 2]), scores: { q: 0.5, 'k"': -1e-7 }, usage: { model: 'm', tokens: 2 ** 40 },
        owner: { name: 'n', tags: ['t', ''] }, steps: [{ to: 1, call: { tool: 'search' } }, { to: 2, call: null }], kind: 'B', again: { model: 'm', tokens: 3 },
      },
      { id: '', at: 0, ok: false, blob: null, scores: {}, usage: null, owner: { name: 'é', tags: [] }, steps: [], kind: 'A', again: { model: '', tokens: -1 } },
    ];
    for (const value of values) {
      expect(mapping.toJson(value)).toBe(JSON.stringify(mapping.toRow(value)));
      expect(mapping.toJson(value, ',"kafka_topic":"t","kafka_offset":7')).toBe(JSON.stringify({ ...mapping.toRow(value), kafka_topic: 't', kafka_offset: 7 }));
    }
  });

  it('renders every catalogue sample record as the row would be', () => {
    const tables = analyticsTables();
    for (const [topic, value] of Object.entries(sampleValues())) {
      const { mapping: m } = tableForTopic(tables, topic);
      const record = value as unknown as Record<string, unknown>;
      expect(m.toJson(record, `,"kafka_topic":"${topic}","kafka_partition":3,"kafka_offset":12`), topic).toBe(JSON.stringify({ ...m.toRow(record), kafka_topic: topic, kafka_partition: 3, kafka_offset: 12 }));
    }
  });

  it('refuses unions it cannot type', () => {
    const bad: AvroSchema = { type: 'record', name: 'Bad', fields: [{ name: 'v', type: ['string', 'long'] }] };
    expect(() => mapRecord(bad, new Map())).toThrow(/unsupported union/);
  });
});
