/**
 * Maps an Avro record schema onto typed ClickHouse columns, and decoded Avro values onto rows for those
 * columns. One walk of the schema produces both, so the DDL and the rows can never disagree.
 *
 * The mapping, chosen for what analysts query:
 * - primitives → Int32/Int64/Float32/Float64/Bool/String; bytes → String (base64); timestamp-millis → DateTime64(3)
 * - nested records → flattened columns `parent_child` (producer_service, judge_correct, policy_model …)
 * - `null | record` → the same flattened columns, each Nullable (ClickHouse refuses Nullable(Tuple))
 * - `null | primitive` → Nullable(T); arrays → Array(T); arrays of records → Array(Tuple(name T, …)), usable
 *   with ARRAY JOIN; maps → Map(String, T)
 */
export type AvroSchema =
  | string
  | AvroSchema[]
  | { type: string; name?: string; namespace?: string; fields?: AvroField[]; items?: AvroSchema; values?: AvroSchema; symbols?: string[]; logicalType?: string };

export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
}

export interface Column {
  name: string;
  type: string;
  doc?: string;
}

/** Turns one decoded Avro value into the row fields of its columns (written into `row`). */
type Writer = (value: unknown, row: Record<string, unknown>) => void;
/** Turns one decoded Avro value into the `,"column":value` JSON text of its columns. */
type JsonWriter = (value: unknown) => string;
/** Turns one value into its JSONEachRow form inside an array or tuple. */
type Converter = (value: unknown) => unknown;

export interface RecordMapping {
  columns: Column[];
  toRow(value: Record<string, unknown>): Record<string, unknown>;
  /**
   * The JSONEachRow line of `value` in one pass, without building the row object: exactly
   * `JSON.stringify({ ...toRow(value), ...more })` where `tail` is `more` rendered as `,"key":value…`.
   */
  toJson(value: Record<string, unknown>, tail?: string): string;
}

/** Resolves named-type references (fw.Producer, fw.LlmUsage, types defined inline earlier). */
export type NamedTypes = Map<string, AvroSchema>;

const PRIMITIVES: Record<string, string> = {
  boolean: 'Bool',
  int: 'Int32',
  long: 'Int64',
  float: 'Float32',
  double: 'Float64',
  string: 'String',
  bytes: 'String',
};

export function mapRecord(schema: AvroSchema, named: NamedTypes): RecordMapping {
  const record = resolve(schema, named);
  if (typeof record !== 'object' || Array.isArray(record) || record.type !== 'record') throw new Error('expected an Avro record schema');
  const columns: Column[] = [];
  const writers: Writer[] = [];
  const json: JsonWriter[] = [];
  for (const field of record.fields ?? []) flattenField(field.name, field.type, false, field.doc, named, columns, writers, (v) => (v as Record<string, unknown>)[field.name], json);
  return {
    columns,
    toRow(value) {
      const row: Record<string, unknown> = {};
      for (const write of writers) write(value, row);
      return row;
    },
    toJson: (value, tail = '') => jsonObject(json, value, tail),
  };
}

/** Adds the columns of one field (several when it is a record) and the writers that fill them. */
function flattenField(
  name: string,
  schema: AvroSchema,
  nullable: boolean,
  doc: string | undefined,
  named: NamedTypes,
  columns: Column[],
  writers: Writer[],
  pick: (parent: unknown) => unknown,
  json: JsonWriter[],
): void {
  const type = resolve(schema, named);
  const nonNull = nullableInner(type, named);
  if (nonNull !== undefined) return flattenField(name, nonNull, true, doc, named, columns, writers, pick, json);
  if (typeof type === 'object' && !Array.isArray(type) && type.type === 'record') {
    for (const sub of type.fields ?? []) {
      const key = sub.name;
      flattenField(`${name}_${key}`, sub.type, nullable, sub.doc, named, columns, writers, (parent) => {
        const obj = pick(parent) as Record<string, unknown> | null | undefined;
        return obj == null ? null : obj[key];
      }, json);
    }
    return;
  }
  const { chType, convert, toJson } = valueType(type, named);
  const wrapped = nullable && canBeNullable(chType) ? `Nullable(${chType})` : chType;
  columns.push({ name, type: wrapped, doc });
  const missing = wrapped.startsWith('Nullable(') ? null : emptyOf(chType); // never mutated: only serialised
  writers.push((parent, row) => {
    const v = pick(parent);
    row[name] = v == null ? missing : convert(v);
  });
  const key = `,${JSON.stringify(name)}:`;
  const absent = key + JSON.stringify(missing);
  json.push((parent) => {
    const v = pick(parent);
    return v == null ? absent : key + toJson(v);
  });
}

/**
 * The ClickHouse type of a non-record value, how to render the decoded value for JSONEachRow (`convert`), and
 * the JSON text of that rendering built directly (`toJson(v)` === `JSON.stringify(convert(v))`).
 */
interface ValueType {
  chType: string;
  convert: Converter;
  toJson: (value: unknown) => string;
}

const same: Converter = (v) => v;
const stringify = (v: unknown): string => JSON.stringify(v);

function valueType(schema: AvroSchema, named: NamedTypes): ValueType {
  const type = resolve(schema, named);
  if (typeof type === 'string') {
    const chType = PRIMITIVES[type];
    if (!chType) throw new Error(`unsupported Avro type ${type}`);
    if (type !== 'bytes') return { chType, convert: same, toJson: stringify };
    const base64 = (v: unknown) => Buffer.from(v as Buffer).toString('base64');
    return { chType, convert: base64, toJson: (v) => `"${base64(v)}"` }; // base64 never needs escaping
  }
  if (Array.isArray(type)) {
    const inner = nullableInner(type, named);
    if (inner === undefined) throw new Error(`unsupported union ${JSON.stringify(type)} (only null | T is mapped)`);
    const { chType, convert, toJson } = isRecord(inner, named) ? tupleType(resolve(inner, named), named, true) : valueType(inner, named);
    return { chType: canBeNullable(chType) ? `Nullable(${chType})` : chType, convert: (v) => (v == null ? null : convert(v)), toJson: (v) => (v == null ? 'null' : toJson(v)) };
  }
  switch (type.type) {
    case 'record':
      return tupleType(type, named, false);
    case 'array': {
      const items = valueType(type.items!, named);
      return {
        chType: `Array(${items.chType})`,
        convert: (v) => (v as unknown[]).map(items.convert),
        toJson: (v) => {
          const list = v as unknown[];
          let out = '';
          for (let i = 0; i < list.length; i++) out += (i ? ',' : '') + items.toJson(list[i]);
          return `[${out}]`;
        },
      };
    }
    case 'map': {
      const values = valueType(type.values!, named);
      const convert: Converter = (v) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, values.convert(x)]));
      return { chType: `Map(String, ${values.chType})`, convert, toJson: (v) => JSON.stringify(convert(v)) };
    }
    case 'enum':
      return { chType: 'LowCardinality(String)', convert: same, toJson: stringify };
    case 'long':
      if (type.logicalType === 'timestamp-millis') return { chType: "DateTime64(3, 'UTC')", convert: same, toJson: stringify };
      return valueType(type.type, named);
    default:
      return valueType(type.type, named);
  }
}

/** A record inside an array becomes a named Tuple; its own `null | record` fields are flattened into it. */
function tupleType(record: AvroSchema, named: NamedTypes, nullable: boolean): ValueType {
  const columns: Column[] = [];
  const writers: Writer[] = [];
  const json: JsonWriter[] = [];
  const fields = (record as { fields?: AvroField[] }).fields ?? [];
  for (const field of fields) flattenField(field.name, field.type, nullable, undefined, named, columns, writers, (v) => (v == null ? null : (v as Record<string, unknown>)[field.name]), json);
  return {
    chType: `Tuple(${columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')})`,
    convert: (v) => {
      const row: Record<string, unknown> = {};
      for (const write of writers) write(v, row);
      return row;
    },
    toJson: (v) => jsonObject(json, v, ''),
  };
}

/** `{…}` from fragments that each start with their comma. */
function jsonObject(json: JsonWriter[], value: unknown, tail: string): string {
  let out = '';
  for (let i = 0; i < json.length; i++) out += json[i](value);
  out += tail;
  return out ? `{${out.slice(1)}}` : '{}';
}

function resolve(schema: AvroSchema, named: NamedTypes): AvroSchema {
  if (typeof schema === 'string' && !(schema in PRIMITIVES) && schema !== 'null') {
    const found = named.get(schema) ?? named.get(`fw.${schema}`);
    if (!found) throw new Error(`unknown named type ${schema}`);
    return found;
  }
  if (typeof schema === 'object' && !Array.isArray(schema) && schema.type === 'record' && schema.name) {
    named.set(fullName(schema), schema);
  }
  return schema;
}

function nullableInner(schema: AvroSchema, named: NamedTypes): AvroSchema | undefined {
  if (!Array.isArray(schema)) return undefined;
  const others = schema.filter((s) => s !== 'null');
  if (others.length !== 1 || others.length === schema.length) return undefined;
  return resolve(others[0], named);
}

function isRecord(schema: AvroSchema, named: NamedTypes): boolean {
  const t = resolve(schema, named);
  return typeof t === 'object' && !Array.isArray(t) && t.type === 'record';
}

function canBeNullable(chType: string): boolean {
  return !/^(Array|Map|Tuple|Nullable|LowCardinality)\(/.test(chType);
}

function emptyOf(chType: string): unknown {
  if (chType.startsWith('Array(')) return [];
  if (chType.startsWith('Map(')) return {};
  if (/^U?Int|^Float|^DateTime/.test(chType)) return 0;
  if (chType === 'Bool') return false;
  return '';
}

export function fullName(schema: { name?: string; namespace?: string }): string {
  const name = schema.name ?? '';
  return name.includes('.') || !schema.namespace ? name : `${schema.namespace}.${name}`;
}

/** Backquotes identifiers ClickHouse would read as keywords or that are not plain words (e.g. `from`, `to`). */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/i.test(name) && !RESERVED.has(name.toLowerCase()) ? name : `\`${name.replace(/`/g, '``')}\``;
}

const RESERVED = new Set(['from', 'to', 'index', 'key', 'order', 'select', 'where', 'group', 'by', 'end', 'start', 'partition', 'table', 'default']);
