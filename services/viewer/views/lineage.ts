import { html } from 'hono/html';
import { formatLocations, isSource, type Lineage } from '../queries/lineage.ts';
import { jsonData, type Html } from './layout.ts';

/** The lineage as a graph (laid out by dagre in the browser) and as a list that works without it. */
export function lineageBody(lineage: Lineage): Html {
  const graph = {
    focus: lineage.id,
    nodes: lineage.nodes.map((n) => ({ id: n.id, table: n.table, depth: n.depth, source: isSource(n), label: n.label })),
    edges: lineage.edges,
  };
  const row = (n: Lineage['nodes'][number]) => html`<tr${n.depth === 0 ? html` class="current"` : ''}><td class="num">${n.depth}</td><td><a href="/records/${encodeURIComponent(n.id)}">${n.id}</a></td><td>${n.table || 'not in the store'}${isSource(n) ? html` <span class="tag">source</span>` : ''}</td><td class="position">${formatLocations(n.locations) || '–'}</td><td>${n.label}</td></tr>`;
  return html`<p>Parents up to the source documents (negative distance) and children down to the training samples (positive).</p>
<figure class="graph"><div id="lineage-graph" role="group" aria-label="Lineage graph of ${lineage.id}: ${lineage.nodes.length} records, ${lineage.edges.length} links"></div>
<figcaption>Lineage of <code>${lineage.id}</code>; arrows point from parent to child. Each box links to its record.</figcaption></figure>
${jsonData('lineage-data', graph)}
<table class="records"><caption>Records of the lineage with their Kafka positions (topic/partition@offset)</caption>
<thead><tr><th scope="col">Distance</th><th scope="col">Id</th><th scope="col">Table</th><th scope="col">Kafka position</th><th scope="col">Label</th></tr></thead>
<tbody>${lineage.nodes.map(row)}</tbody></table>`;
}
