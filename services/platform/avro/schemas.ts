import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { schemasDir } from '../paths.ts';
import { rabinFingerprint64 } from './fingerprint.ts';

export type AvroType = avro.Type;

export interface LoadedSchema {
  /** Full name, e.g. fw.Document. */
  name: string;
  type: avro.Type;
  /** Parsing Canonical Form, the text fingerprints and registries are computed over. */
  canonical: string;
  fingerprint: bigint;
}

/**
 * All Avro schemas of flywheel, loaded from `schemas/fw.*.avsc` (file name = full name, the layout fastavro's
 * `load_schema` also resolves). Named types (fw.Producer, fw.LlmUsage) are shared through one avsc registry.
 * Extra writer versions (older or newer than ours) can be added with `addWriterSchema` so that decoding
 * resolves them to the current reader schema.
 */
export class SchemaCatalog {
  private readonly byName = new Map<string, LoadedSchema>();
  private readonly byFingerprint = new Map<bigint, LoadedSchema>();

  static load(dir: string = schemasDir): SchemaCatalog {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.avsc'));
    const raw = new Map(files.map((f) => [path.basename(f, '.avsc'), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
    const catalog = new SchemaCatalog();
    const registry: Record<string, avro.Type> = {};
    // Resolve named-type references by loading a schema's dependencies first.
    const loading = new Set<string>();
    const loadOne = (name: string): void => {
      if (catalog.byName.has(name)) return;
      if (loading.has(name)) throw new Error(`schema cycle through ${name}`);
      loading.add(name);
      for (const dep of referencedNames(raw.get(name))) if (raw.has(dep) && dep !== name) loadOne(dep);
      catalog.add(name, avro.Type.forSchema(raw.get(name), { registry }));
      loading.delete(name);
    };
    for (const name of raw.keys()) loadOne(name);
    catalog.loadHistory(path.join(dir, 'history'));
    return catalog;
  }

  get(name: string): LoadedSchema {
    const schema = this.byName.get(name);
    if (!schema) throw new Error(`unknown schema ${name} (known: ${[...this.byName.keys()].join(', ')})`);
    return schema;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  findByFingerprint(fp: bigint): LoadedSchema | undefined {
    return this.byFingerprint.get(fp);
  }

  /**
   * Registers another version of a schema: always as a possible writer (found by fingerprint when decoding);
   * with role 'reader' also as the version this process decodes into and encodes with.
   */
  addSchema(schema: object, role: 'writer' | 'reader' = 'writer'): LoadedSchema {
    const type = avro.Type.forSchema(schema as avro.Schema, { registry: this.registrySnapshot() });
    const loaded = describe(String(type.name), type);
    this.byFingerprint.set(loaded.fingerprint, loaded);
    if (role === 'reader') this.byName.set(loaded.name, loaded);
    return loaded;
  }

  /**
   * Earlier versions of each schema, kept in Parsing Canonical Form under schemas/history/<name>/<fingerprint>.avsc
   * (written by `npm run gen`): records an older image wrote stay decodable after a schema change, with no
   * registry service. Canonical forms are self-contained, so each loads on its own.
   */
  private loadHistory(dir: string): void {
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir)) {
      for (const file of fs.readdirSync(path.join(dir, name)).filter((f) => f.endsWith('.avsc'))) {
        const type = avro.Type.forSchema(JSON.parse(fs.readFileSync(path.join(dir, name, file), 'utf8')), { registry: {} });
        const loaded = describe(name, type);
        if (!this.byFingerprint.has(loaded.fingerprint)) this.byFingerprint.set(loaded.fingerprint, loaded);
      }
    }
  }

  /** Where `npm run gen` records the current version of a schema. */
  static historyFile(dir: string, schema: LoadedSchema): string {
    return path.join(dir, 'history', schema.name, `${schema.fingerprint.toString(16).padStart(16, '0')}.avsc`);
  }

  private add(name: string, type: avro.Type): void {
    const loaded = describe(name, type);
    this.byName.set(name, loaded);
    this.byFingerprint.set(loaded.fingerprint, loaded);
  }

  private registrySnapshot(): Record<string, avro.Type> {
    return Object.fromEntries([...this.byName.values()].filter((s) => isSharedType(s)).map((s) => [s.name, s.type]));
  }
}

function describe(name: string, type: avro.Type): LoadedSchema {
  const canonical = JSON.stringify(type.schema());
  return { name, type, canonical, fingerprint: rabinFingerprint64(canonical) };
}

/** Types other schemas refer to by name (the building blocks, not topic values). */
function isSharedType(schema: LoadedSchema): boolean {
  return schema.name === 'fw.Producer' || schema.name === 'fw.LlmUsage';
}

function referencedNames(schema: unknown, out = new Set<string>()): Set<string> {
  if (typeof schema === 'string') {
    if (schema.includes('.')) out.add(schema);
  } else if (Array.isArray(schema)) {
    for (const s of schema) referencedNames(s, out);
  } else if (schema && typeof schema === 'object') {
    const s = schema as Record<string, unknown>;
    for (const key of ['type', 'items', 'values']) if (key in s) referencedNames(s[key], out);
    if (Array.isArray(s.fields)) for (const f of s.fields) referencedNames((f as { type: unknown }).type, out);
  }
  return out;
}

let defaultCatalog: SchemaCatalog | undefined;
/** The catalog of the repository's schemas/ folder, loaded once per process. */
export function schemaCatalog(): SchemaCatalog {
  defaultCatalog ??= SchemaCatalog.load();
  return defaultCatalog;
}
