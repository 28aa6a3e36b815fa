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
/** Turns one value into its JSONEachRow form inside an array or tuple. */
type Converter = (value: unknown) => unknown;

export interface RecordMapping {
  columns: Column[];
  toRow(value: Record<string, unknown>): Record<string, unknown>;
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
  for (const field of record.fields ?? []) flattenField(field.name, field.type, false, field.doc, named, columns, writers, (v) => (v as Record<string, unknown>)[field.name]);
  return {
    columns,
    toRow(value) {
      const row: Record<string, unknown> = {};
      for (const write of writers) write(value, row);
      return row;
    },
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
): void {
  const type = resolve(schema, named);
  const nonNull = nullableInner(type, named);
  if (nonNull !== undefined) return flattenField(name, nonNull, true, doc, named, columns, writers, pick);
  if (typeof type === 'object' && !Array.isArray(type) && type.type === 'record') {
    for (const sub of type.fields ?? []) {
      const key = sub.name;
      flattenField(`${name}_${key}`, sub.type, nullable, sub.doc, named, columns, writers, (parent) => {
        const obj = pick(parent) as Record<string, unknown> | null | undefined;
        return obj == null ? null : obj[key];
      });
    }
    return;
  }
  const { chType, convert } = valueType(type, named);
  const wrapped = nullable && canBeNullable(chType) ? `Nullable(${chType})` : chType;
  columns.push({ name, type: wrapped, doc });
  const missing = wrapped.startsWith('Nullable(') ? null : emptyOf(chType); // never mutated: only serialised
  writers.push((parent, row) => {
    const v = pick(parent);
    row[name] = v == null ? missing : convert(v);
  });
}

/** The ClickHouse type of a non-record value, and how to render the decoded value for JSONEachRow. */
function valueType(schema: AvroSchema, named: NamedTypes): { chType: string; convert: Converter } {
  const type = resolve(schema, named);
  if (typeof type === 'string') {
    const chType = PRIMITIVES[type];
    if (!chType) throw new Error(`unsupported Avro type ${type}`);
    return { chType, convert: type === 'bytes' ? (v) => Buffer.from(v as Buffer).toString('base64') : (v) => v };
  }
  if (Array.isArray(type)) {
    const inner = nullableInner(type, named);
    if (inner === undefined) throw new Error(`unsupported union ${JSON.stringify(type)} (only null | T is mapped)`);
    const { chType, convert } = inner !== undefined && isRecord(inner, named) ? tupleType(resolve(inner, named), named, true) : valueType(inner, named);
    return { chType: canBeNullable(chType) ? `Nullable(${chType})` : chType, convert: (v) => (v == null ? null : convert(v)) };
  }
  switch (type.type) {
    case 'record':
      return tupleType(type, named, false);
    case 'array': {
      const items = valueType(type.items!, named);
      return { chType: `Array(${items.chType})`, convert: (v) => (v as unknown[]).map(items.convert) };
    }
    case 'map': {
      const values = valueType(type.values!, named);
      return {
        chType: `Map(String, ${values.chType})`,
        convert: (v) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, values.convert(x)])),
      };
    }
    case 'enum':
      return { chType: 'LowCardinality(String)', convert: (v) => v };
    case 'long':
      if (type.logicalType === 'timestamp-millis') return { chType: "DateTime64(3, 'UTC')", convert: (v) => v };
      return valueType(type.type, named);
    default:
      return valueType(type.type, named);
  }
}

/** A record inside an array becomes a named Tuple; its own `null | record` fields are flattened into it. */
function tupleType(record: AvroSchema, named: NamedTypes, nullable: boolean): { chType: string; convert: Converter } {
  const columns: Column[] = [];
  const writers: Writer[] = [];
  const fields = (record as { fields?: AvroField[] }).fields ?? [];
  for (const field of fields) flattenField(field.name, field.type, nullable, undefined, named, columns, writers, (v) => (v == null ? null : (v as Record<string, unknown>)[field.name]));
  return {
    chType: `Tuple(${columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')})`,
    convert: (v) => {
      const row: Record<string, unknown> = {};
      for (const write of writers) write(v, row);
      return row;
    },
  };
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
