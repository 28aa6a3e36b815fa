import { html } from 'hono/html';
import type { RoundDetail, RoundSummary } from '../queries/rounds.ts';
import { jsonData, num, qs, type Html } from './layout.ts';

export function roundsBody(rounds: RoundSummary[]): Html {
  if (!rounds.length) return html`<p>No rounds in the analytics store yet. Run <code>flywheel analytics run</code> while the flywheel runs.</p>`;
  return html`<table class="records">
<caption>Rounds, newest first</caption>
<thead><tr><th scope="col">Round</th><th scope="col">Model</th><th scope="col">Status</th><th scope="col">Rollouts</th><th scope="col">Accepted</th><th scope="col">SFT</th><th scope="col">CPT samples</th></tr></thead>
<tbody>${rounds.map((r) => html`<tr><td><a href="/rounds/${r.round}">Round ${r.round}</a></td><td>${r.model}</td><td>${r.status}</td><td class="num">${r.rollouts}</td><td class="num">${r.accepted}</td><td class="num">${r.sft}</td><td class="num">${r.cpt}</td></tr>`)}</tbody>
</table>
<form class="filters" method="get" action="/rounds/compare" aria-label="Compare two rounds">
<label>Round <select name="a">${rounds.map((r, i) => html`<option${i === 1 ? html` selected` : ''}>${r.round}</option>`)}</select></label>
<label>with round <select name="b">${rounds.map((r, i) => html`<option${i === 0 ? html` selected` : ''}>${r.round}</option>`)}</select></label>
<button>Compare side by side</button>
</form>`;
}

function grid(caption: string, rows: Array<Record<string, unknown>>, columns: Array<[string, string]>, link?: (row: Record<string, unknown>) => string | undefined): Html {
  if (!rows.length) return html`<p>${caption}: none.</p>`;
  return html`<table class="records"><caption>${caption}</caption>
<thead><tr>${columns.map(([, label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
<tbody>${rows.map((row) => {
  const href = link?.(row);
  return html`<tr>${columns.map(([key], i) => {
    const v = row[key];
    const text = typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) ? num(v, 4) : String(v ?? '');
    return html`<td${typeof v === 'number' ? html` class="num"` : ''}>${i === 0 && href ? html`<a href="${href}">${text}</a>` : text}</td>`;
  })}</tr>`;
})}</tbody></table>`;
}

/** One round: the funnel as a chart and a table, drops by reason, acceptance by style, cost. */
export function roundSection(detail: RoundDetail, chartId: string, scaleMax?: number): Html {
  const round = detail.report.round;
  const funnelRows = detail.report.steps.flatMap((s) =>
    s.parts.length ? s.parts.map((p) => ({ step: s.step, breakdown: p.breakdown, records: p.records })) : [{ step: s.step, breakdown: '', records: s.records }],
  );
  // rounds shown side by side share one scale, so equal bars mean equal counts
  const chart = { labels: detail.report.steps.map((s) => s.step), values: detail.report.steps.map((s) => s.records), max: scaleMax };
  const tableLink = (kind: string, extra: Record<string, string | number> = {}) => `/tables/${kind}${qs({ round, ...extra })}`;
  const stepLink: Record<string, string> = {
    questions: tableLink('questions'), rollouts: tableLink('trajectories'), accepted: tableLink('trajectories', { verdict: 'true' }),
    sft: tableLink('sft'), rl_groups: tableLink('rl_groups'), discarded: tableLink('trajectories', { topic: 'fw.trajectories.discarded' }), cpt_samples: tableLink('cpt_samples'),
  };
  const c = detail.report.cost;
  return html`<section aria-labelledby="round-${round}-h">
<h2 id="round-${round}-h">Round ${round}</h2>
<figure><div class="chart"><canvas id="${chartId}" role="img" aria-label="Funnel of round ${round}: ${chart.labels.map((l, i) => `${l} ${chart.values[i]}`).join(', ')}"></canvas></div>
<figcaption>Funnel of round ${round} (records per step)</figcaption></figure>
${jsonData(`${chartId}-data`, chart)}
${grid(`Funnel of round ${round}`, funnelRows, [['step', 'Step'], ['breakdown', 'Breakdown'], ['records', 'Records']], (r) => stepLink[String(r.step)])}
${grid(`Drops by reason, round ${round}`, detail.drops, [['reason', 'Reason'], ['stage', 'Stage'], ['drops', 'Drops']], (r) => tableLink('drops', { reason: String(r.reason), stage: String(r.stage) }))}
${grid(`Acceptance by question style, round ${round}`, detail.byStyle, [['style', 'Style'], ['questions', 'Questions'], ['rollouts', 'Rollouts'], ['accepted', 'Accepted'], ['acceptance_rate', 'Acceptance'], ['pass_at_1', 'pass@1'], ['pass_at_g', 'pass@G']], (r) => tableLink('trajectories', { style: String(r.style) }))}
${grid(`Cost by model, round ${round}`, detail.costByModel, [['model', 'Model'], ['input_tokens', 'Input tokens'], ['output_tokens', 'Output tokens'], ['cost_usd', 'USD']])}
<p>Cost per accepted rollout: ${c ? html`${c.usd_per_accepted == null ? 'n/a' : `$${num(c.usd_per_accepted, 6)}`} (${num(c.tokens)} tokens, $${num(c.cost_usd, 6)} for ${num(c.accepted)} accepted)` : 'n/a'}</p>
</section>`;
}

/** Two rounds' funnels in one table, step by step, with the change from the first to the second. */
export function funnelComparison(a: RoundDetail, b: RoundDetail): Html {
  const ra = a.report.round;
  const rb = b.report.round;
  const chart = {
    labels: a.report.steps.map((s) => s.step),
    series: [
      { label: `round ${ra}`, values: a.report.steps.map((s) => s.records) },
      { label: `round ${rb}`, values: b.report.steps.map((s) => s.records) },
    ],
  };
  return html`<figure><div class="chart"><canvas id="funnel-compare" role="img" aria-label="Funnels of round ${ra} and round ${rb} as grouped bars; the table below has the numbers"></canvas></div>
<figcaption>Funnel of round ${ra} and round ${rb}</figcaption></figure>
${jsonData('funnel-compare-data', chart)}
<table class="records"><caption>Funnel of round ${ra} against round ${rb}</caption>
<thead><tr><th scope="col">Step</th><th scope="col">Round ${ra}</th><th scope="col">Round ${rb}</th><th scope="col">Change</th></tr></thead>
<tbody>${a.report.steps.map((s, i) => {
  const other = b.report.steps[i]?.records ?? 0;
  const change = other - s.records;
  return html`<tr><th scope="row">${s.step}</th><td class="num">${s.records}</td><td class="num">${other}</td><td class="num">${change > 0 ? `+${change}` : String(change)}</td></tr>`;
})}</tbody></table>`;
}
