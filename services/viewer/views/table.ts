import { html } from 'hono/html';
import type { Page, PageRequest } from '../queries/page.ts';
import type { ColumnSpec, TableSpec } from '../queries/specs.ts';
import { num, qs, type Html } from './layout.ts';

export function recordHref(spec: TableSpec, row: Record<string, unknown>): string {
  const id = encodeURIComponent(String(row.__id));
  if (spec.page === 'trajectory') return `/trajectories/${id}${qs({ topic: row.topic as string | undefined ?? (spec.kind === 'sft' ? 'fw.sft.trajectories' : undefined) })}`;
  if (spec.page === 'has') return `/has/${id}`;
  if (spec.page === 'dlq') return `/dlq/${id}`;
  return `/records/${id}`;
}

function cell(spec: TableSpec, c: ColumnSpec, row: Record<string, unknown>): Html {
  const v = row[c.key];
  if (c.kind === 'link') return html`<td><a href="${recordHref(spec, row)}">${String(v)}</a></td>`;
  if (c.kind === 'number') return html`<td class="num">${num(v)}</td>`;
  if (c.kind === 'verdict') return html`<td><span class="verdict ${v ? 'ok' : 'bad'}">${v ? 'accepted' : 'rejected'}</span></td>`;
  return html`<td>${String(v ?? '')}</td>`;
}

/** The filter form, the sortable header, the rows and keyset page links of one record table. */
export function tableBody(spec: TableSpec, req: PageRequest, page: Page, options: Record<string, string[]>): Html {
  const base = { ...req.filters, q: req.q || undefined, sort: req.sort.key, dir: req.dir };
  const here = `/tables/${spec.kind}`;
  const sortLink = (key: string) => {
    const dir = req.sort.key === key && req.dir === 'desc' ? 'asc' : 'desc';
    return `${here}${qs({ ...base, sort: key, dir })}`;
  };
  const sortable = new Map(spec.sorts.map((s) => [s.key, s]));
  return html`<form class="filters" method="get" action="${here}" aria-label="Filter ${spec.title}">
${spec.filters.map((f) => {
  const value = req.filters[f.key] ?? '';
  if (!f.choices && !f.options) return html`<label>${f.label} <input name="${f.key}" value="${value}" size="6" inputmode="decimal"></label>`;
  const choices: Array<[string, string]> = f.choices ?? (options[f.key] ?? []).map((v) => [v, v]);
  return html`<label>${f.label} <select name="${f.key}"><option value="">any</option>${choices.map(
    ([v, label]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${label}</option>`,
  )}</select></label>`;
})}
${spec.search ? html`<label>Search text <input type="search" name="q" value="${req.q}" id="search" placeholder="inside messages"></label>` : ''}
<input type="hidden" name="sort" value="${req.sort.key}"><input type="hidden" name="dir" value="${req.dir}">
<button>Apply</button> <a href="${here}">Reset</a>
</form>
<table class="records">
<caption>${spec.title}: ${page.rows.length} row${page.rows.length === 1 ? '' : 's'} on this page, sorted by ${req.sort.label} ${req.dir === 'desc' ? 'descending' : 'ascending'}</caption>
<thead><tr>${spec.columns.map((c) => {
  const s = sortable.get(c.key) ?? (c.key === 'id' ? sortable.get('id') : undefined);
  const active = s && req.sort.key === s.key;
  const aria = active ? (req.dir === 'desc' ? 'descending' : 'ascending') : undefined;
  return html`<th scope="col"${aria ? html` aria-sort="${aria}"` : ''}>${s ? html`<a href="${sortLink(s.key)}">${c.label}${active ? (req.dir === 'desc' ? ' ▼' : ' ▲') : ''}</a>` : c.label}</th>`;
})}</tr></thead>
<tbody>${page.rows.length ? page.rows.map((row) => html`<tr>${spec.columns.map((c) => cell(spec, c, row))}</tr>`) : html`<tr><td colspan="${spec.columns.length}">No records match.</td></tr>`}</tbody>
</table>
<nav class="pager" aria-label="Pages">
<a href="${here}${qs(base)}">First page</a>
${page.prev ? html`<a rel="prev" id="prev-page" href="${here}${qs({ ...base, before: page.prev })}">← Previous</a>` : ''}
${page.next ? html`<a rel="next" id="next-page" href="${here}${qs({ ...base, after: page.next })}">Next →</a>` : ''}
${spec.sorts.filter((s) => !spec.columns.some((c) => c.key === s.key)).map((s) => html` <a href="${sortLink(s.key)}">sort by ${s.label}</a>`)}
</nav>`;
}
