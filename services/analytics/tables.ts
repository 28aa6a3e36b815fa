import fs from 'node:fs';
import path from 'node:path';
import { TopicCatalogue, topicCatalogue } from '../platform/catalogue.ts';
import { schemasDir } from '../platform/paths.ts';
import { compileTranscoder, type Op } from './transcode.ts';
import { mapRecord, quoteIdentifier, type AvroSchema, type Column, type NamedTypes, type RecordMapping } from './columns.ts';

/** One ClickHouse table per record type (Avro schema); a type written to several topics keeps the topic. */
export interface TableSpec {
  table: string;
  /** Full Avro name, e.g. fw.Trajectory. */
  schema: string;
  /** Logical topic names whose records land here. */
  topics: string[];
  orderBy: string[];
  /** Schema columns followed by the Kafka position columns. */
  columns: Column[];
  mapping: RecordMapping;
  /** The same rows straight from the Avro body (transcode.ts). */
  transcoder: Op;
  /** Has the common header (round, parent_ids), so it joins the lineage index. */
  lineage: boolean;
}

/** Where each row came from, kept so an analyst can go from a row back to the exact Kafka record. */
export const KAFKA_COLUMNS: Column[] = [
  { name: 'kafka_topic', type: 'LowCardinality(String)', doc: 'Logical topic (catalogue name, without TOPIC_PREFIX).' },
  { name: 'kafka_partition', type: 'Int32' },
  { name: 'kafka_offset', type: 'Int64' },
  { name: 'ingested_at', type: "DateTime64(3, 'UTC')", doc: 'When the analytics sink wrote the row; the newest copy wins on merge.' },
];

/** Table name of a record type: fw.RlGroup → rl_groups, fw.Entity → entities. */
export function tableName(schemaName: string): string {
  const short = schemaName.split('.').pop()!;
  const snake = short.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (/[^aeiou]y$/.test(snake)) return `${snake.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(snake)) return `${snake}es`;
  return `${snake}s`;
}

/** Raw .avsc documents by full name (file name = full name), for resolving named references. */
export function loadNamedSchemas(dir: string = schemasDir): NamedTypes {
  const named: NamedTypes = new Map();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.avsc')).sort()) {
    named.set(path.basename(file, '.avsc'), JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as AvroSchema);
  }
  return named;
}

/** The sink's tables, one per value schema of the topic catalogue, in catalogue order. */
export function analyticsTables(catalogue: TopicCatalogue = topicCatalogue(), dir: string = schemasDir): TableSpec[] {
  const named = loadNamedSchemas(dir);
  const bySchema = new Map<string, string[]>();
  for (const topic of catalogue.all()) bySchema.set(topic.value, [...(bySchema.get(topic.value) ?? []), topic.name]);
  return [...bySchema].map(([schema, topics]) => {
    const raw = named.get(schema);
    if (!raw) throw new Error(`schema ${schema} (topics ${topics.join(', ')}) has no file in ${dir}`);
    const mapping = mapRecord(raw, named);
    const names = new Set(mapping.columns.map((c) => c.name));
    const key = names.has('id') ? 'id' : catalogue.get(topics[0]).key;
    return {
      table: tableName(schema),
      schema,
      topics,
      orderBy: topics.length > 1 ? ['kafka_topic', key] : [key],
      columns: [...mapping.columns, ...KAFKA_COLUMNS],
      mapping,
      transcoder: compileTranscoder(raw, named),
      lineage: names.has('round') && names.has('parent_ids') && names.has('id') && !NOT_LINEAGE_NODES.has(schema),
    };
  });
}

/**
 * Records that carry the common header but are another record's state rather than a node of their own: a
 * DocSignature has its document's id and parents, and in the index (one row per id) it would hide the document.
 */
export const NOT_LINEAGE_NODES = new Set(['fw.DocSignature']);

export function tableForTopic(tables: TableSpec[], topic: string): TableSpec {
  const found = tables.find((t) => t.topics.includes(topic));
  if (!found) throw new Error(`no analytics table for topic ${topic}`);
  return found;
}

/** The placeholder every deploy/clickhouse/*.sql file uses for the database (CLICKHOUSE_DATABASE). */
export const DB = '{{db}}';

export function createTableSql(spec: TableSpec): string {
  const columns = spec.columns.map((c) => {
    const defaultClause = c.name === 'ingested_at' ? ' DEFAULT now64(3)' : '';
    return `  ${quoteIdentifier(c.name)} ${c.type}${defaultClause}${c.doc ? ` COMMENT ${sqlString(c.doc)}` : ''}`;
  });
  return [
    `CREATE TABLE IF NOT EXISTS ${DB}.${spec.table}`,
    '(',
    columns.join(',\n'),
    ')',
    'ENGINE = ReplacingMergeTree(ingested_at)',
    `ORDER BY (${spec.orderBy.map(quoteIdentifier).join(', ')})`,
    `COMMENT ${sqlString(`${spec.schema} records from ${spec.topics.join(', ')}; deduplicated by ${spec.orderBy.join(', ')} (query with FINAL)`)};`,
  ].join('\n');
}

/** Every lineage-carrying table feeds the record index (id → parents) the lineage views walk. */
export function indexViewSql(spec: TableSpec): string {
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DB}.${spec.table}_to_record_index TO ${DB}.record_index AS`,
    `SELECT id, '${spec.table}' AS record_table, kafka_topic, round, parent_ids, created_at FROM ${DB}.${spec.table};`,
  ].join('\n');
}

export function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
