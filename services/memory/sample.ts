import type { Cluster, ClusterEdge, ClusterEntity, Entity } from '../platform/generated/records.ts';
import { seededRandom } from '../platform/runtime/random.ts';
import { attributesOf } from './attributes.ts';
import { namesakeNames } from './namesakes.ts';

export interface SampleOptions {
  seed: number;
  /** Random-walk clusters to try for. */
  walks: number;
  /** Sub-tables to try for. */
  subtables: number;
  minSize: number;
  maxSize: number;
  /** WebSailor: with this probability the walk jumps back to an earlier node instead of expanding from the last. */
  jumpBack: number;
  /** Statements carried per entity (bridging statements and ones with numbers first). */
  statementsPerEntity: number;
}

export const defaultSampleOptions: SampleOptions = { seed: 1, walks: 100, subtables: 30, minSize: 2, maxSize: 5, jumpBack: 0.3, statementsPerEntity: 6 };

export type ClusterBody = Pick<Cluster, 'kind' | 'seed' | 'entities' | 'edges' | 'shared_attribute'>;

/**
 * Entity clusters from a snapshot of the memory, deterministic under `seed`: random walks over the entity
 * graph (relations in either direction, between entities that have statements) of 2–5 nodes, and sub-tables
 * of 2–5 entities sharing an attribute. Clusters with the same entity set are returned once.
 */
export function sampleClusters(snapshot: Entity[], options: Partial<SampleOptions> = {}): ClusterBody[] {
  const o = { ...defaultSampleOptions, ...options };
  const entities = new Map([...snapshot].filter((e) => e.statements.length > 0).sort((a, b) => a.entity_id.localeCompare(b.entity_id)).map((e) => [e.entity_id, e]));
  const graph = buildGraph(entities);
  const names = namesakeNames([...entities.values()]);
  const seen = new Set<string>();
  const clusters: ClusterBody[] = [];
  const keep = (body: ClusterBody) => {
    const key = `${body.kind}:${body.entities.map((e) => e.entity_id).sort().join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    clusters.push(body);
  };
  const starts = [...graph.keys()].filter((id) => graph.get(id)!.size > 0);
  const random = seededRandom(`walk:${o.seed}`);
  for (let i = 0; i < o.walks && starts.length; i++) {
    const size = o.minSize + Math.floor(random() * (o.maxSize - o.minSize + 1));
    const nodes = [starts[Math.floor(random() * starts.length)]];
    const edges: ClusterEdge[] = [];
    for (let attempts = 0; nodes.length < size && attempts < 4 * size; attempts++) {
      const from = random() < o.jumpBack ? nodes[Math.floor(random() * nodes.length)] : nodes[nodes.length - 1];
      const next = [...graph.get(from)!.entries()].filter(([to]) => !nodes.includes(to)).sort((a, b) => a[0].localeCompare(b[0]));
      if (next.length === 0) continue;
      const [to, kind] = next[Math.floor(random() * next.length)];
      nodes.push(to);
      edges.push({ from, to, kind });
    }
    if (nodes.length >= o.minSize) keep({ kind: 'random_walk', seed: o.seed * 100000 + i, entities: nodes.map((id) => clusterEntity(entities.get(id)!, nodes, entities, o, names)), edges, shared_attribute: '' });
  }
  const byAttribute = new Map<string, string[]>();
  for (const [id, e] of entities) for (const a of attributesOf(e)) byAttribute.set(a, [...(byAttribute.get(a) ?? []), id]);
  const shared = [...byAttribute.entries()].filter(([, ids]) => ids.length >= o.minSize).sort((a, b) => a[0].localeCompare(b[0]));
  const tableRandom = seededRandom(`subtable:${o.seed}`);
  for (let i = 0; i < o.subtables && shared.length; i++) {
    const [attribute, ids] = shared[Math.floor(tableRandom() * shared.length)];
    const size = Math.min(ids.length, o.minSize + Math.floor(tableRandom() * (o.maxSize - o.minSize + 1)));
    const pool = [...ids];
    const members: string[] = [];
    while (members.length < size) members.push(pool.splice(Math.floor(tableRandom() * pool.length), 1)[0]);
    keep({ kind: 'subtable', seed: o.seed * 100000 + i, entities: members.map((id) => clusterEntity(entities.get(id)!, members, entities, o, names)), edges: [], shared_attribute: attribute });
  }
  return clusters;
}

function buildGraph(entities: Map<string, Entity>): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>([...entities.keys()].map((id) => [id, new Map()]));
  for (const [id, e] of entities) {
    for (const r of e.relations) {
      if (!entities.has(r.entity_id) || r.entity_id === id) continue;
      graph.get(id)!.set(r.entity_id, r.kind);
      if (!graph.get(r.entity_id)!.has(id)) graph.get(r.entity_id)!.set(id, r.kind);
    }
  }
  return graph;
}

/** The statements a cluster carries for one member: those naming another member first, then ones with numbers. */
function clusterEntity(e: Entity, members: string[], all: Map<string, Entity>, o: SampleOptions, names: Map<string, string>): ClusterEntity {
  const otherNames = members.filter((m) => m !== e.entity_id).flatMap((m) => [all.get(m)!.name, ...all.get(m)!.aliases]).filter(Boolean);
  const score = (text: string) => (otherNames.some((n) => text.includes(n)) ? 2 : 0) + (/\d/.test(text) ? 1 : 0);
  const chosen = [...e.statements].map((s, i) => ({ s, i, score: score(s.text) })).sort((a, b) => b.score - a.score || a.i - b.i).slice(0, o.statementsPerEntity);
  return {
    entity_id: e.entity_id,
    name: names.get(e.entity_id) ?? e.name,
    statements: chosen.map((c) => c.s.text),
    doc_ids: [...new Set(chosen.flatMap((c) => c.s.doc_ids))].sort(),
    statement_doc_ids: chosen.map((c) => c.s.doc_ids[0] ?? ''),
  };
}
