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

/** Turns one value into its JSONEachRow form inside an array or tuple. */
type Converter = (value: unknown) => unknown;

/** One column's value: where it sits in the decoded record, what stands in for null, how it is rendered. */
interface RowField {
  name: string;
  /** Field names from the record down to the value (nested records are flattened into `parent_child`). */
  path: string[];
  missing: unknown;
  /** Absent when the decoded value is already its JSON form. */
  convert?: Converter;
}

export interface RecordMapping {
  columns: Column[];
  toRow(value: Record<string, unknown>): Record<string, unknown>;
  /**
   * The JSONEachRow line of `value`: `JSON.stringify(toRow(value))` with `tail` (more fields, rendered as
   * `,"key":value…`, none of them a column) spliced in before the closing brace.
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
  const fields: RowField[] = [];
  for (const field of record.fields ?? []) flattenField(field.name, field.type, false, field.doc, named, columns, fields, [field.name]);
  const toRow = compileRow(fields);
  return {
    columns,
    toRow,
    toJson(value, tail = '') {
      const json = JSON.stringify(toRow(value));
      if (!tail) return json;
      return json.length > 2 ? `${json.slice(0, -1)}${tail}}` : `{${tail.slice(1)}}`;
    },
  };
}

/** Adds the columns of one field (several when it is a record) and how to fill them. */
function flattenField(
  name: string,
  schema: AvroSchema,
  nullable: boolean,
  doc: string | undefined,
  named: NamedTypes,
  columns: Column[],
  fields: RowField[],
  path: string[],
): void {
  const type = resolve(schema, named);
  const nonNull = nullableInner(type, named);
  if (nonNull !== undefined) return flattenField(name, nonNull, true, doc, named, columns, fields, path);
  if (typeof type === 'object' && !Array.isArray(type) && type.type === 'record') {
    for (const sub of type.fields ?? []) flattenField(`${name}_${sub.name}`, sub.type, nullable, sub.doc, named, columns, fields, [...path, sub.name]);
    return;
  }
  const { chType, convert } = valueType(type, named);
  const wrapped = nullable && canBeNullable(chType) ? `Nullable(${chType})` : chType;
  columns.push({ name, type: wrapped, doc });
  const missing = wrapped.startsWith('Nullable(') ? null : emptyOf(chType); // never mutated: only serialised
  fields.push({ name, path, missing, convert: convert === same ? undefined : convert });
}

/**
 * One function per record type that returns the row as a single object literal. Generated rather than built
 * from a loop of closures because the sink runs it for every record: a literal gets one fixed shape that
 * JSON.stringify walks fast, where the loop cost about three times as much per row (bench/_sink-path.ts).
 * Names enter the source only as JSON string literals; values only through the M and C arrays.
 */
function compileRow(fields: RowField[]): (value: unknown) => Record<string, unknown> {
  const props = fields.map((f, i) => {
    let read = `v[${JSON.stringify(f.path[0])}]`;
    for (const key of f.path.slice(1)) read = `((x = ${read}) == null ? null : x[${JSON.stringify(key)}])`;
    return `${JSON.stringify(f.name)}: (x = ${read}) == null ? M[${i}] : ${f.convert ? `C[${i}](x)` : 'x'}`;
  });
  const source = `return function row(v) {\n  let x;\n  return {\n    ${props.join(',\n    ')}\n  };\n};`;
  return new Function('M', 'C', source)(fields.map((f) => f.missing), fields.map((f) => f.convert)) as (value: unknown) => Record<string, unknown>;
}

const same: Converter = (v) => v;

/** The ClickHouse type of a non-record value, and how to render the decoded value for JSONEachRow. */
function valueType(schema: AvroSchema, named: NamedTypes): { chType: string; convert: Converter } {
  const type = resolve(schema, named);
  if (typeof type === 'string') {
    const chType = PRIMITIVES[type];
    if (!chType) throw new Error(`unsupported Avro type ${type}`);
    return { chType, convert: type === 'bytes' ? (v) => Buffer.from(v as Buffer).toString('base64') : same };
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
      return { chType: 'LowCardinality(String)', convert: same };
    case 'long':
      if (type.logicalType === 'timestamp-millis') return { chType: "DateTime64(3, 'UTC')", convert: same };
      return valueType(type.type, named);
    default:
      return valueType(type.type, named);
  }
}

/** A record inside an array becomes a named Tuple; its own `null | record` fields are flattened into it. */
function tupleType(record: AvroSchema, named: NamedTypes, nullable: boolean): { chType: string; convert: Converter } {
  const columns: Column[] = [];
  const fields: RowField[] = [];
  for (const field of (record as { fields?: AvroField[] }).fields ?? []) flattenField(field.name, field.type, nullable, undefined, named, columns, fields, [field.name]);
  return { chType: `Tuple(${columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')})`, convert: compileRow(fields) };
}

/** The columns (name and missing value) a field becomes: what transcode.ts writes when a `null | record` is null. */
export function flatColumns(name: string, schema: AvroSchema, nullable: boolean, named: NamedTypes): Array<{ name: string; missing: unknown }> {
  const fields: RowField[] = [];
  flattenField(name, schema, nullable, undefined, named, [], fields, [name]);
  return fields;
}

export { resolve as resolveType };

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
