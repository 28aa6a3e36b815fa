import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { schemaCatalog } from '../platform/avro/schemas.ts';
import { topicCatalogue } from '../platform/catalogue.ts';
import { thingSchema } from '../../test/fixtures/avro-thing.ts';
import { sampleValues } from '../../test/fixtures/records.ts';
import { mapRecord, type AvroSchema } from './columns.ts';
import { analyticsTables, tableForTopic } from './tables.ts';
import { compileTranscoder, JsonBytes, transcodeRow, Unsupported } from './transcode.ts';

// the shapes of the columns test, and a float, a `T | null` union and an array under a null record
const extra = { type: 'record', name: 'Extra', fields: [{ name: 'tags', type: { type: 'array', items: 'string' } }] };
const schema: AvroSchema = { ...thingSchema, fields: [...thingSchema.fields, { name: 'ratio', type: ['double', 'null'] }, { name: 'f', type: 'float' }, { name: 'extra', type: ['null', extra] }] };

/** What the sink wrote before: the decoded record's row through JSON.stringify. */
function viaObjects(type: avro.Type, mapping: ReturnType<typeof mapRecord>, bytes: Buffer, tail: string): string {
  return mapping.toJson(type.fromBuffer(bytes) as Record<string, unknown>, tail);
}

function transcoded(op: ReturnType<typeof compileTranscoder>, bytes: Buffer, tail: string): string {
  const out = new JsonBytes();
  transcodeRow(op, bytes, 0, bytes.length, out);
  out.text(`${tail}}`);
  return out.buf.toString('utf8', 0, out.pos);
}

describe('Avro binary → JSONEachRow bytes', () => {
  const named = new Map();
  const mapping = mapRecord(schema, named);
  const op = compileTranscoder(schema, named);
  const type = avro.Type.forSchema(schema as avro.Schema);

  it('writes exactly the line the decoded record would have become', () => {
    const values = [
      {
        id: 'a"\n\u2028é', at: 1_700_000_000_000, ok: true, blob: Buffer.from([1, 2, 250]), scores: { q: 0.5, 'k"': -1e-7, é: 3 }, usage: { model: 'm', tokens: 2 ** 40 },
        owner: { name: 'n', tags: ['t', ''] }, steps: [{ to: -1, call: { tool: 'search' } }, { to: 2 ** 31 - 1, call: null }], kind: 'B', again: { model: 'm', tokens: -(2 ** 52) },
        ratio: null, f: 0.1, extra: null,
      },
      { id: '', at: 0, ok: false, blob: null, scores: {}, usage: null, owner: { name: '日本', tags: [] }, steps: [], kind: 'A', again: { model: '', tokens: -1 }, ratio: 1.5, f: -0, extra: { tags: ['a\\b'] } },
    ];
    for (const value of values) {
      const bytes = type.toBuffer(value);
      expect(transcoded(op, bytes, ',"kafka_offset":7')).toBe(viaObjects(type, mapping, bytes, ',"kafka_offset":7'));
    }
  });

  it('writes every catalogue sample record as the decoded record would be', () => {
    const tables = analyticsTables();
    const catalog = schemaCatalog();
    for (const [topic, value] of Object.entries(sampleValues())) {
      const spec = tableForTopic(tables, topic);
      const reader = catalog.get(topicCatalogue().get(topic).value).type;
      const bytes = reader.toBuffer(value);
      const tail = `,"kafka_topic":"${topic}","kafka_partition":3,"kafka_offset":12`;
      expect(transcoded(spec.transcoder, bytes, tail), topic).toBe(viaObjects(reader, spec.mapping, bytes, tail));
    }
  });

  it('refuses malformed bodies and maps a JS object would reorder, having written nothing', () => {
    const good = type.toBuffer({ id: 'a', at: 1, ok: true, blob: null, scores: { 2: 1, a: 2 }, usage: null, owner: { name: 'n', tags: [] }, steps: [], kind: 'A', again: { model: 'm', tokens: 1 }, ratio: null, f: 1, extra: null });
    const out = new JsonBytes();
    expect(() => transcodeRow(op, good, 0, good.length, out)).toThrow(Unsupported);
    expect(() => transcodeRow(op, good, 0, good.length - 3, out)).toThrow();
    expect(() => transcodeRow(op, Buffer.concat([good, Buffer.from([0])]), 0, good.length + 1, out)).toThrow();
    expect(out.pos).toBe(0);
  });
});
