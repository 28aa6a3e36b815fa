import { flatColumns, resolveType, type AvroSchema, type NamedTypes } from './columns.ts';

/**
 * Avro binary straight to the JSONEachRow bytes of the row `columns.ts` maps the record to (the same columns,
 * values and missing-value rules), without building the decoded object, the row or any JS string for ASCII
 * text: the sink's per-record cost. Anything it does not reproduce exactly (malformed bytes, a map with keys a JS
 * object would reorder) throws `Unsupported`, and the caller takes the decode + toJson path for that record.
 */
export class Unsupported extends Error {}

/** A growing byte buffer the rows are written into. */
export class JsonBytes {
  buf: Buffer;
  pos = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n, 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  bytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    if (n > 32) src.copy(this.buf, this.pos, start, end);
    else for (let i = 0; i < n; i++) this.buf[this.pos + i] = src[start + i];
    this.pos += n;
  }

  text(s: string): void {
    this.ensure(3 * s.length);
    this.pos += this.buf.write(s, this.pos);
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** An integer's decimal digits (what String(n) gives). */
  int(n: number): void {
    if (n < 0 || n > 0x3fffffff) return this.text(String(n));
    this.ensure(10);
    const buf = this.buf;
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    for (let i = this.pos + digits - 1, x = n; i >= this.pos; i--, x = Math.floor(x / 10)) buf[i] = 0x30 + (x % 10);
    this.pos += digits;
  }
}

interface Reader {
  pos: number;
  end: number;
}
/** Reads one value from `b` and writes its JSON. */
export type Op = (b: Buffer, r: Reader, o: JsonBytes) => void;

const ascii = (s: string) => Buffer.from(s, 'utf8');
const NULL = ascii('null');
const TRUE = ascii('true');
const FALSE = ascii('false');

/** A record's columns: `,"a":…,"b_c":…` (each column after a comma; the caller turns the first into `{`). */
export function compileTranscoder(schema: AvroSchema, named: NamedTypes): Op {
  const record = resolveType(schema, named) as { fields?: Array<{ name: string; type: AvroSchema }> };
  return sequence((record.fields ?? []).map((f) => columnsOp(f.name, f.type, named)));
}

function sequence(ops: Op[]): Op {
  return (b, r, o) => {
    for (let i = 0; i < ops.length; i++) ops[i](b, r, o);
  };
}

/** The columns of one field (flattened like columns.ts: nested records → parent_child, `null | record` → each missing). */
function columnsOp(name: string, schema: AvroSchema, named: NamedTypes): Op {
  const type = resolveType(schema, named);
  const union = nullUnion(type, named);
  if (union) {
    const inner = columnsOp(name, union.inner, named);
    const missing = ascii(flatColumns(name, union.inner, true, named).map((c) => `,${JSON.stringify(c.name)}:${JSON.stringify(c.missing)}`).join(''));
    return (b, r, o) => (branch(b, r, 2) === union.nullIndex ? o.bytes(missing) : inner(b, r, o));
  }
  if (isRecordType(type)) return sequence((type.fields ?? []).map((f) => columnsOp(`${name}_${f.name}`, f.type, named)));
  const key = ascii(`,${JSON.stringify(name)}:`);
  const value = valueOp(type, named);
  return (b, r, o) => {
    o.bytes(key);
    value(b, r, o);
  };
}

/** One value as JSON (inside a column, an array or a map): records become tuple objects, `null | T` null or T. */
function valueOp(schema: AvroSchema, named: NamedTypes): Op {
  const type = resolveType(schema, named);
  const union = nullUnion(type, named);
  if (union) {
    const inner = valueOp(union.inner, named);
    return (b, r, o) => (branch(b, r, 2) === union.nullIndex ? o.bytes(NULL) : inner(b, r, o));
  }
  if (isRecordType(type)) {
    const fields = sequence((type.fields ?? []).map((f) => columnsOp(f.name, f.type, named)));
    return (b, r, o) => {
      const start = o.pos;
      fields(b, r, o);
      if (o.pos === start) o.byte(0x7b);
      else o.buf[start] = 0x7b; // the first column's comma becomes the brace
      o.byte(0x7d);
    };
  }
  const name = typeof type === 'string' ? type : Array.isArray(type) ? '' : type.type;
  switch (name) {
    case 'null':
      return (_b, _r, o) => o.bytes(NULL);
    case 'boolean':
      return (b, r, o) => o.bytes(b[take(r, 1)] ? TRUE : FALSE);
    case 'int':
    case 'long':
      return (b, r, o) => o.int(readLong(b, r));
    case 'float':
      return (b, r, o) => number(b.readFloatLE(take(r, 4)), o);
    case 'double':
      return (b, r, o) => number(b.readDoubleLE(take(r, 8)), o);
    case 'string':
      return string;
    case 'bytes':
      return (b, r, o) => {
        const n = length(b, r);
        const start = take(r, n);
        o.text(`"${b.toString('base64', start, start + n)}"`);
      };
    case 'enum': {
      const symbols = ((type as { symbols?: string[] }).symbols ?? []).map((s) => ascii(JSON.stringify(s)));
      return (b, r, o) => o.bytes(symbols[branch(b, r, symbols.length)]);
    }
    case 'array': {
      const item = valueOp((type as { items: AvroSchema }).items, named);
      return (b, r, o) => {
        o.byte(0x5b);
        let first = true;
        for (let n = blockCount(b, r); n > 0; n = blockCount(b, r)) {
          for (let i = 0; i < n; i++) {
            if (!first) o.byte(0x2c);
            first = false;
            item(b, r, o);
          }
        }
        o.byte(0x5d);
      };
    }
    case 'map':
      return mapOp(valueOp((type as { values: AvroSchema }).values, named));
    default:
      throw new Error(`unsupported Avro type ${JSON.stringify(type)}`);
  }
}

/** A JS object puts integer-like keys first and keeps one of duplicates: such maps take the object path. */
function mapOp(value: Op): Op {
  const seen = new Set<string>();
  return (b, r, o) => {
    o.text('{');
    seen.clear();
    for (let n = blockCount(b, r); n > 0; n = blockCount(b, r)) {
      for (let i = 0; i < n; i++) {
        const len = length(b, r);
        const start = take(r, len);
        const key = b.toString('utf8', start, start + len);
        if (/^(0|[1-9]\d{0,9})$/.test(key) || seen.has(key)) throw new Unsupported('map key order');
        seen.add(key);
        if (seen.size > 1) o.text(',');
        o.text(`${JSON.stringify(key)}:`);
        value(b, r, o);
      }
    }
    o.text('}');
  };
}

/** ASCII without quotes, backslashes or control characters is copied as is; anything else goes through JSON.stringify. */
const string: Op = (b, r, o) => {
  const n = length(b, r);
  const start = take(r, n);
  const end = start + n;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) return o.text(JSON.stringify(b.toString('utf8', start, end)));
  }
  o.ensure(n + 2);
  o.buf[o.pos++] = 0x22;
  o.bytes(b, start, end);
  o.buf[o.pos++] = 0x22;
};

function number(v: number, o: JsonBytes): void {
  if (Number.isFinite(v)) o.text(String(v));
  else o.bytes(NULL);
}

/** Advances past `n` bytes and returns where they start. */
function take(r: Reader, n: number): number {
  const at = r.pos;
  if (at + n > r.end) throw new Unsupported('truncated');
  r.pos = at + n;
  return at;
}

/** Zigzag varint, as avsc reads it. */
function readLong(b: Buffer, r: Reader): number {
  const first = b[r.pos];
  if (first < 0x80 && r.pos < r.end) {
    r.pos++;
    return first & 1 ? -(first + 1) / 2 : first / 2;
  }
  let n = 0;
  let m = 1;
  let byte: number;
  do {
    byte = b[take(r, 1)];
    n += (byte & 0x7f) * m;
    m *= 128;
    if (m > 2 ** 63) throw new Unsupported('varint too long');
  } while (byte & 0x80);
  if (n > Number.MAX_SAFE_INTEGER) throw new Unsupported('beyond 2^53: avsc decides'); // it refuses such longs
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function length(b: Buffer, r: Reader): number {
  const n = readLong(b, r);
  if (n < 0) throw new Unsupported('negative length');
  return n;
}

function branch(b: Buffer, r: Reader, count: number): number {
  const i = readLong(b, r);
  if (i < 0 || i >= count) throw new Unsupported('union or enum index out of range');
  return i;
}

/** Items in the next block of an array or map (a negative count is followed by the block's byte size). */
function blockCount(b: Buffer, r: Reader): number {
  const n = readLong(b, r);
  if (n >= 0) return n;
  readLong(b, r);
  return -n;
}

function nullUnion(type: AvroSchema, named: NamedTypes): { inner: AvroSchema; nullIndex: number } | undefined {
  if (!Array.isArray(type) || type.length !== 2) return undefined;
  const nullIndex = type.indexOf('null');
  if (nullIndex < 0) return undefined;
  return { inner: resolveType(type[1 - nullIndex], named), nullIndex };
}

function isRecordType(type: AvroSchema): type is { type: 'record'; fields?: Array<{ name: string; type: AvroSchema }> } {
  return typeof type === 'object' && !Array.isArray(type) && type.type === 'record';
}

/**
 * Writes `{"a":…,"b":…` of one record body (`b[start..end)`) into `o` (the caller closes the object), or throws
 * having written nothing: Unsupported, or a RangeError of a malformed body.
 */
export function transcodeRow(op: Op, b: Buffer, start: number, end: number, o: JsonBytes): void {
  const rowStart = o.pos;
  const r = { pos: start, end };
  try {
    op(b, r, o);
    if (r.pos !== end) throw new Unsupported('trailing bytes');
    if (o.pos === rowStart) throw new Unsupported('no columns');
  } catch (error) {
    o.pos = rowStart;
    throw error;
  }
  o.buf[rowStart] = 0x7b; // the first column's comma
}

/** The record's whole JSONEachRow line (columns, `tail`, newline); false, having written nothing, when it has to take the decode path. */
export function transcodeLine(op: Op, value: Buffer, body: number, o: JsonBytes, tail: string): boolean {
  try {
    transcodeRow(op, value, body, value.length, o);
  } catch {
    return false;
  }
  o.text(`${tail}}\n`);
  return true;
}
