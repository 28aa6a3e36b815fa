import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { RecordValidationError, DecodeError } from '../errors.ts';
import { rabinFingerprint64 } from './fingerprint.ts';
import { SchemaCatalog } from './schemas.ts';
import { SingleObjectSerde } from './serde.ts';

const docV1 = {
  type: 'record',
  name: 'Note',
  namespace: 'fw.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'text', type: 'string' },
  ],
};
// v2 adds a field with a default (backward and forward compatible) and drops nothing
const docV2 = { ...docV1, fields: [...docV1.fields, { name: 'lang', type: 'string', default: 'und' }] };

describe('CRC-64-AVRO', () => {
  it('matches the Avro specification test vectors', () => {
    // values from the Avro Java test suite (schema-tests.txt)
    expect(rabinFingerprint64('"null"')).toBe(BigInt.asUintN(64, 7195948357588979594n));
    expect(rabinFingerprint64('"int"')).toBe(BigInt.asUintN(64, 8247732601305521295n));
    expect(rabinFingerprint64('"string"')).toBe(BigInt.asUintN(64, -8142146995180207161n));
  });
});

describe('SingleObjectSerde', () => {
  const catalog = SchemaCatalog.load();
  const serde = new SingleObjectSerde(catalog);
  const doc = {
    id: 'doc_1', round: 1, parent_ids: [], producer: { service: 's', version: '1', instance: '' }, created_at: 1700000000000,
    source_kind: 'qa', source_uri: 'x:1', url: '', title: 'T', text: 'hello', lang: 'en', content_hash: 'h', quality: {},
  };

  it('writes the single-object header and reads the record back', () => {
    const bytes = serde.encodeSync('fw.Document', doc);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.readBigUInt64LE(2)).toBe(catalog.get('fw.Document').fingerprint);
    expect(serde.decodeSync(bytes, 'fw.Document')).toEqual(doc);
  });

  it('names the offending field of a record that does not match its schema', () => {
    expect(() => serde.encodeSync('fw.Document', { ...doc, text: 42 })).toThrowError(RecordValidationError);
    expect(() => serde.encodeSync('fw.Document', { ...doc, text: 42 })).toThrowError(/fw\.Document: field text: expected string, got number 42/);
    expect(() => serde.encodeSync('fw.Document', { ...doc, producer: { service: 's' } })).toThrowError(/field producer\.version/);
  });

  it("relies on avsc's writer rejecting whatever its checker rejects, in every schema and at every field", () => {
    // encodeSync skips the validation pass on the happy path; this holds avsc to the equivalence that needs
    const bad: unknown[] = [undefined, null, 'x', 1.5, 2 ** 60, -1, true, {}, [], Buffer.alloc(1), NaN];
    let cases = 0;
    for (const name of catalog.names()) {
      const { type } = catalog.get(name);
      const sample = type.random();
      for (const { path, value } of mutations(type, sample, bad)) {
        cases++;
        const valid = type.isValid(value);
        let written = true;
        try {
          type.toBuffer(value);
        } catch {
          written = false;
        }
        expect({ name, path, written }).toEqual({ name, path, written: valid });
        if (!valid) expect(() => serde.encodeSync(name, value)).toThrowError(RecordValidationError);
        else expect(serde.decodeSync(serde.encodeSync(name, value), name)).toEqual(type.fromBuffer(type.toBuffer(value)));
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('encodes records larger than its scratch buffer', () => {
    const big = { ...doc, text: 'x'.repeat(200_000) };
    expect(serde.decodeSync(serde.encodeSync('fw.Document', big), 'fw.Document')).toEqual(big);
    expect(serde.decodeSync(serde.encodeSync('fw.Document', doc), 'fw.Document')).toEqual(doc);
  });

  it('rejects bytes of an unknown writer schema with a clear error', () => {
    const bytes = serde.encodeSync('fw.Document', doc);
    bytes.writeBigUInt64LE(123n, 2);
    expect(() => serde.decodeSync(bytes, 'fw.Document')).toThrowError(/unknown writer schema fingerprint 7b/);
    expect(() => serde.decodeSync(Buffer.from('{"json":true}'), 'fw.Document')).toThrowError(DecodeError);
  });

  describe('schema evolution', () => {
    const evolving = (reader: object) => {
      const c = SchemaCatalog.load();
      const v1 = c.addSchema(docV1);
      const v2 = c.addSchema(docV2);
      c.addSchema(reader, 'reader');
      return { c, v1, v2 };
    };
    const encodeWith = (fp: bigint, type: { toBuffer(v: unknown): Buffer }, value: unknown) => {
      const header = Buffer.alloc(10);
      header[0] = 0xc3;
      header[1] = 0x01;
      header.writeBigUInt64LE(fp, 2);
      return Buffer.concat([header, type.toBuffer(value)]);
    };

    it('new reader reads what an old writer wrote (missing field takes its default)', () => {
      const { c, v1 } = evolving(docV2);
      const reader = new SingleObjectSerde(c);
      const bytes = encodeWith(v1.fingerprint, v1.type, { id: 'n1', text: 'old' });
      expect(reader.decodeSync(bytes, 'fw.test.Note')).toEqual({ id: 'n1', text: 'old', lang: 'und' });
    });

    it('old reader reads what a new writer wrote (extra field is skipped)', () => {
      const { c, v2 } = evolving(docV1);
      const reader = new SingleObjectSerde(c);
      const bytes = encodeWith(v2.fingerprint, v2.type, { id: 'n2', text: 'new', lang: 'de' });
      expect(reader.decodeSync(bytes, 'fw.test.Note')).toEqual({ id: 'n2', text: 'new' });
    });

    it('refuses an incompatible change with an error naming both schemas', () => {
      const { c } = evolving(docV1);
      const incompatible = c.addSchema({ ...docV1, fields: [{ name: 'id', type: 'long' }] });
      const bytes = encodeWith(incompatible.fingerprint, incompatible.type, { id: 5 });
      expect(() => new SingleObjectSerde(c).decodeSync(bytes, 'fw.test.Note')).toThrowError(/cannot decode fw\.test\.Note as fw\.test\.Note/);
    });
  });
});

/** `value` with one node (a record field, array item or map value, at any depth) replaced by each of `bad`. */
function* mutations(type: avro.Type, value: unknown, bad: unknown[], path = ''): Generator<{ path: string; value: unknown }> {
  const typeName = type.typeName;
  if (typeName === 'record' || typeName === 'error') {
    for (const field of (type as avro.types.RecordType).fields) {
      const record = value as Record<string, unknown>;
      const at = path ? `${path}.${field.name}` : field.name;
      for (const b of bad) yield { path: `${at}=${String(b)}`, value: { ...record, [field.name]: b } };
      for (const m of mutations(field.type, record[field.name], bad, at)) yield { path: m.path, value: { ...record, [field.name]: m.value } };
    }
  } else if (typeName === 'array' && Array.isArray(value) && value.length > 0) {
    const items = (type as avro.types.ArrayType).itemsType;
    for (const b of bad) yield { path: `${path}[0]=${String(b)}`, value: [b, ...value.slice(1)] };
    for (const m of mutations(items, value[0], bad, `${path}[0]`)) yield { path: m.path, value: [m.value, ...value.slice(1)] };
  } else if (typeName === 'map' && value && typeof value === 'object') {
    const values = (type as avro.types.MapType).valuesType;
    for (const b of bad) yield { path: `${path}{k}=${String(b)}`, value: { ...(value as object), k: b } };
    const [key, first] = Object.entries(value)[0] ?? [];
    if (key !== undefined) for (const m of mutations(values, first, bad, `${path}{${key}}`)) yield { path: m.path, value: { ...(value as object), [key]: m.value } };
  } else if (typeName.includes('union')) {
    for (const branch of (type as avro.types.UnwrappedUnionType).types) {
      if (branch.isValid(value)) yield* mutations(branch, value, bad, path);
    }
  }
}
