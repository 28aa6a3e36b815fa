import type { AnalyticsQuerier } from '../../analytics/querier.ts';

export interface Location {
  topic: string;
  partition: number;
  offset: number;
}

export interface LineageNode {
  id: string;
  /** Analytics table of the record; empty when the sink never saw it. */
  table: string;
  round: number;
  /** Distance from the record asked about: negative for ancestors, positive for descendants. */
  depth: number;
  parentIds: string[];
  label: string;
  locations: Location[];
}

export interface Lineage {
  id: string;
  nodes: LineageNode[];
  /** parent → child, between nodes of this lineage only. */
  edges: Array<[string, string]>;
}

const SOURCE_TABLES = new Set(['documents', 'raw_documents']);

export function isSource(node: LineageNode): boolean {
  return SOURCE_TABLES.has(node.table);
}

/** A record's ancestors up to the source documents and (unless `children: false`) its descendants down to the training samples. */
export async function loadLineage(querier: AnalyticsQuerier, id: string, options: { children?: boolean } = {}): Promise<Lineage> {
  const db = querier.database;
  const none = { columns: [], rows: [] };
  const [up, down] = await Promise.all([
    querier.query(`SELECT id, record_table, round, depth, parent_ids FROM ${db}.lineage(id = {id:String})`, { id }),
    options.children === false ? none : querier.query(`SELECT id, record_table, round, depth, parent_ids FROM ${db}.lineage_children(id = {id:String}) WHERE depth > 0`, { id }),
  ]);
  const byId = new Map<string, LineageNode>();
  const add = (row: Record<string, unknown>, sign: number) => {
    const nodeId = String(row.id);
    if (byId.has(nodeId)) return;
    byId.set(nodeId, {
      id: nodeId, table: String(row.record_table ?? ''), round: Number(row.round), depth: sign * Number(row.depth),
      parentIds: (row.parent_ids as string[]) ?? [], label: '', locations: [],
    });
  };
  for (const row of up.rows) add(row, -1);
  for (const row of down.rows) add(row, 1);
  if (byId.size) {
    const located = await querier.query(
      `SELECT id, any(record_table) AS record_table, any(label) AS label, groupArray((kafka_topic, kafka_partition, kafka_offset)) AS at
       FROM ${db}.record_locations WHERE id IN {ids:Array(String)} GROUP BY id`,
      { ids: [...byId.keys()] },
    );
    for (const row of located.rows) {
      const node = byId.get(String(row.id));
      if (!node) continue;
      // record_index keeps one table per id, and a document's signature record (fw.ingest.signatures) has the
      // document's id: the locations name the record's own table
      node.table = String(row.record_table || node.table);
      node.label = String(row.label ?? '').replace(/\s+/g, ' ').trim();
      node.locations = (row.at as Array<[string, number, number | string]>)
        .map(([topic, partition, offset]) => ({ topic, partition: Number(partition), offset: Number(offset) }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset);
    }
  }
  const nodes = [...byId.values()].sort((a, b) => a.depth - b.depth || a.id.localeCompare(b.id));
  const edges: Array<[string, string]> = [];
  for (const node of nodes) for (const parent of node.parentIds) if (byId.has(parent)) edges.push([parent, node.id]);
  return { id, nodes, edges };
}

export function formatLocations(locations: Location[]): string {
  return locations.map((l) => `${l.topic}/${l.partition}@${l.offset}`).join(', ');
}

/** The terminal form of `flywheel lineage <id>`: ancestors indented by distance, sources, then descendants. */
export function renderLineageText(lineage: Lineage): string {
  const self = lineage.nodes.find((n) => n.depth === 0);
  if (!self) return `${lineage.id}: not in the analytics store`;
  const line = (n: LineageNode) =>
    `${'  '.repeat(Math.abs(n.depth))}${n.id}  [${n.table || 'not in the store'}, round ${n.round}]  ${formatLocations(n.locations) || '-'}${n.label ? `  "${n.label}"` : ''}`;
  const ancestors = lineage.nodes.filter((n) => n.depth <= 0).sort((a, b) => b.depth - a.depth || a.id.localeCompare(b.id));
  const descendants = lineage.nodes.filter((n) => n.depth > 0);
  const sources = lineage.nodes.filter(isSource);
  const out = ['parents (up to the source documents):', ...ancestors.map(line)];
  out.push('', `source documents (${sources.length}):`);
  for (const s of sources) out.push(`  ${s.id}  ${s.table}  ${formatLocations(s.locations) || '-'}${s.label ? `  "${s.label}"` : ''}`);
  out.push('', `children (down to the training samples):${descendants.length ? '' : ' none'}`);
  for (const d of descendants) out.push(line(d));
  return out.join('\n');
}
