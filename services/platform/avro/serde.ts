import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { DecodeError, RecordValidationError } from '../errors.ts';
import { fingerprintBytes } from './fingerprint.ts';
import { SchemaCatalog, schemaCatalog, type LoadedSchema } from './schemas.ts';
import { assertValid } from './validate.ts';

/** Encodes records of a named schema to bytes and back; decoding resolves the writer schema to the reader's. */
export interface Serde {
  readonly format: 'single-object' | 'confluent';
  encode(schemaName: string, value: unknown, topic: string): Promise<Buffer>;
  decode<T = unknown>(bytes: Buffer, readerSchemaName: string, topic: string): Promise<T>;
  /** The same without a promise, for formats that never need a network round trip (the runtime's fast path). */
  encodeSync?(schemaName: string, value: unknown): Buffer;
  decodeSync?<T = unknown>(bytes: Buffer, readerSchemaName: string): T;
  /** Where the Avro body starts when `bytes` were written with exactly the reader schema (no resolution needed), else -1. */
  sameSchemaBody?(bytes: Buffer, readerSchemaName: string): number;
}

const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
const HEADER_LENGTH = 10;

/**
 * Avro single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint (little-endian), then the
 * Avro binary body. Writer schemas are found by fingerprint in the catalog; no registry service is needed.
 */
export class SingleObjectSerde implements Serde {
  readonly format = 'single-object' as const;
  private readonly resolvers = new Map<string, avro.Resolver>();
  private readonly headers = new WeakMap<LoadedSchema, Buffer>();
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly catalog: SchemaCatalog = schemaCatalog()) {}

  async encode(schemaName: string, value: unknown): Promise<Buffer> {
    return this.encodeSync(schemaName, value);
  }

  /**
   * avsc's writer rejects every value its checker rejects (serde.test.ts holds it to that for every schema), so the
   * happy path skips the separate validation pass; only a rejected value pays for finding the offending field.
   */
  encodeSync(schemaName: string, value: unknown): Buffer {
    const schema = this.catalog.get(schemaName);
    let end: number;
    try {
      end = this.encodeInto(schema, value);
    } catch (error) {
      assertValid(schemaName, schema.type, value);
      throw new RecordValidationError(schemaName, '', (error as Error).message);
    }
    const out = Buffer.allocUnsafe(end);
    this.scratch.copy(out, 0, 0, end);
    return out;
  }

  sameSchemaBody(bytes: Buffer, readerSchemaName: string): number {
    const header = this.headerOf(this.catalog.get(readerSchemaName));
    return bytes.length >= HEADER_LENGTH && bytes.compare(header, 0, HEADER_LENGTH, 0, HEADER_LENGTH) === 0 ? HEADER_LENGTH : -1;
  }

  private headerOf(schema: LoadedSchema): Buffer {
    let header = this.headers.get(schema);
    if (!header) {
      header = Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprintBytes(schema.fingerprint)]);
      this.headers.set(schema, header);
    }
    return header;
  }

  /** Header and body into the scratch buffer (grown when a record does not fit); returns the length. */
  private encodeInto(schema: LoadedSchema, value: unknown): number {
    this.headerOf(schema).copy(this.scratch, 0);
    const end = schema.type.encode(value, this.scratch, HEADER_LENGTH);
    if (end >= 0) return end;
    this.scratch = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, this.scratch.length - end));
    return this.encodeInto(schema, value);
  }

  async decode<T>(bytes: Buffer, readerSchemaName: string): Promise<T> {
    return this.decodeSync<T>(bytes, readerSchemaName);
  }

  decodeSync<T>(bytes: Buffer, readerSchemaName: string): T {
    if (bytes.length < HEADER_LENGTH || bytes[0] !== 0xc3 || bytes[1] !== 0x01) {
      throw new DecodeError(`not Avro single-object encoded (${bytes.length} bytes, starts ${bytes.subarray(0, 2).toString('hex')})`);
    }
    const fp = bytes.readBigUInt64LE(2);
    const writer = this.catalog.findByFingerprint(fp);
    if (!writer) throw new DecodeError(`unknown writer schema fingerprint ${fp.toString(16)} (reader ${readerSchemaName})`);
    const reader = this.catalog.get(readerSchemaName);
    try {
      return decodeWith(reader, writer, bytes.subarray(HEADER_LENGTH), this.resolvers) as T;
    } catch (error) {
      throw new DecodeError(`cannot decode ${writer.name} as ${readerSchemaName}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Confluent wire format (magic 0, 4-byte schema id, body) against a schema registry, subjects named
 * `<topic>-value` (TopicNameStrategy). Values are validated against our schema first so a bad record gets the
 * same field-named error in both formats.
 */
export class ConfluentSerde implements Serde {
  readonly format = 'confluent' as const;
  private readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, Promise<number>>();

  constructor(
    host: string,
    private readonly catalog: SchemaCatalog = schemaCatalog(),
  ) {
    this.registry = new SchemaRegistry({ host });
  }

  async encode(schemaName: string, value: unknown, topic: string): Promise<Buffer> {
    const schema = this.catalog.get(schemaName);
    assertValid(schemaName, schema.type, value);
    const key = `${topic}-value|${schemaName}`;
    let id = this.ids.get(key);
    if (!id) {
      id = this.registry
        .register({ type: SchemaType.AVRO, schema: schema.canonical }, { subject: `${topic}-value` })
        .then((r) => r.id);
      id.catch(() => this.ids.delete(key));
      this.ids.set(key, id);
    }
    return this.registry.encode(await id, value);
  }

  async decode<T>(bytes: Buffer, readerSchemaName: string): Promise<T> {
    if (bytes.length < 5 || bytes[0] !== 0) throw new DecodeError(`not Confluent wire format (${bytes.length} bytes)`);
    const reader = this.catalog.get(readerSchemaName);
    try {
      return (await this.registry.decode(bytes, { [SchemaType.AVRO]: { readerSchema: reader.canonical } } as never)) as T;
    } catch (error) {
      throw new DecodeError(`cannot decode schema id ${bytes.readInt32BE(1)} as ${readerSchemaName}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

function decodeWith(reader: LoadedSchema, writer: LoadedSchema, body: Buffer, cache: Map<string, avro.Resolver>): unknown {
  if (writer.fingerprint === reader.fingerprint) return reader.type.fromBuffer(body);
  const key = `${writer.fingerprint}:${reader.fingerprint}`;
  let resolver = cache.get(key);
  if (!resolver) {
    resolver = reader.type.createResolver(writer.type);
    cache.set(key, resolver);
  }
  return reader.type.fromBuffer(body, resolver);
}

export function createSerde(options: { schemaRegistryUrl?: string; catalog?: SchemaCatalog } = {}): Serde {
  return options.schemaRegistryUrl
    ? new ConfluentSerde(options.schemaRegistryUrl, options.catalog)
    : new SingleObjectSerde(options.catalog);
}
