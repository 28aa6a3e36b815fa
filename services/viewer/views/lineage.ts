import { html } from 'hono/html';
import { formatLocations, isSource, type Lineage } from '../queries/lineage.ts';
import { jsonData, type Html } from './layout.ts';

/** The lineage as a graph (laid out by dagre in the browser) and as a list that works without it. */
export function lineageBody(lineage: Lineage): Html {
  const graph = { focus: lineage.id, ...collapseSiblings(lineage) };
  const row = (n: Lineage['nodes'][number]) => html`<tr${n.depth === 0 ? html` class="current"` : ''}><td class="num">${n.depth}</td><td><a href="/records/${encodeURIComponent(n.id)}">${n.id}</a></td><td>${n.table || 'not in the store'}${isSource(n) ? html` <span class="tag">source</span>` : ''}</td><td class="position">${formatLocations(n.locations) || '–'}</td><td>${n.label}</td></tr>`;
  return html`<p>Parents up to the source documents (negative distance) and children down to the training samples (positive).</p>
<figure class="graph"><div id="lineage-graph" role="group" aria-label="Lineage graph of ${lineage.id}: ${lineage.nodes.length} records, ${lineage.edges.length} links"></div>
<figcaption>Lineage of <code>${lineage.id}</code>; arrows point from parent to child. Each box links to its record.</figcaption></figure>
${jsonData('lineage-data', graph)}
<table class="records" id="lineage-records"><caption>Records of the lineage with their Kafka positions (topic/partition@offset)</caption>
<thead><tr><th scope="col">Distance</th><th scope="col">Id</th><th scope="col">Table</th><th scope="col">Kafka position</th><th scope="col">Label</th></tr></thead>
<tbody>${lineage.nodes.map(row)}</tbody></table>`;
}

interface GraphNode {
  id: string;
  table: string;
  depth: number;
  source: boolean;
  label: string;
  /** How many records a collapsed box stands for (1 for a record). */
  count: number;
}

/**
 * The graph as drawn: descendants of one table with the same parents (a trajectory's tool calls, its HAS
 * decisions) become one box "N tool_calls" when there are more than two, so the graph stays readable; the
 * table below still lists each of them.
 */
export function collapseSiblings(lineage: Lineage): { nodes: GraphNode[]; edges: Array<[string, string]> } {
  const groups = new Map<string, Lineage['nodes']>();
  for (const n of lineage.nodes) {
    if (n.depth <= 0) continue;
    const key = `${n.table}|${[...n.parentIds].sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const boxOf = new Map<string, string>();
  const nodes: GraphNode[] = [];
  for (const n of lineage.nodes) {
    const group = n.depth > 0 ? groups.get(`${n.table}|${[...n.parentIds].sort().join(',')}`)! : [n];
    if (group.length <= 2 || group[0] === n) {
      const collapsed = group.length > 2;
      const id = collapsed ? `${group.length} ${n.table}` : n.id;
      for (const member of collapsed ? group : [n]) boxOf.set(member.id, id);
      nodes.push({ id, table: n.table, depth: n.depth, source: isSource(n), label: collapsed ? `${group.length} records` : n.label, count: collapsed ? group.length : 1 });
    }
  }
  const seen = new Set<string>();
  const edges: Array<[string, string]> = [];
  for (const [from, to] of lineage.edges) {
    const edge: [string, string] = [boxOf.get(from) ?? from, boxOf.get(to) ?? to];
    if (!seen.has(edge.join('>'))) edges.push(edge);
    seen.add(edge.join('>'));
  }
  return { nodes, edges };
}
