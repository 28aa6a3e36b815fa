import type { AnalyticsQuerier } from './querier.ts';
import { table } from './format.ts';

/** The funnel steps in order, as the funnel view names them. */
export const FUNNEL_STEPS = ['docs_in', 'docs_kept', 'facts', 'entities', 'questions', 'rollouts', 'accepted', 'sft', 'rl_groups', 'discarded', 'cpt_samples'] as const;

export interface FunnelStep {
  step: string;
  records: number;
  /** Per style (questions) or origin (CPT samples); empty for the other steps. */
  parts: Array<{ breakdown: string; records: number }>;
}

export interface RoundReport {
  round: number;
  steps: FunnelStep[];
  cost?: { tokens: number; cost_usd: number; accepted: number; usd_per_accepted: number | null };
}

export async function loadRoundReport(querier: AnalyticsQuerier, round: number): Promise<RoundReport> {
  const db = querier.database;
  const funnel = await querier.query(`SELECT step, breakdown, records FROM ${db}.funnel WHERE round = {round:Int32} ORDER BY step_order, breakdown`, { round });
  const steps: FunnelStep[] = FUNNEL_STEPS.map((step) => {
    const rows = funnel.rows.filter((r) => r.step === step);
    const parts = rows.filter((r) => r.breakdown !== '').map((r) => ({ breakdown: String(r.breakdown), records: Number(r.records) }));
    return { step, records: rows.reduce((sum, r) => sum + Number(r.records), 0), parts };
  });
  const cost = await querier.query(`SELECT tokens, cost_usd, accepted, usd_per_accepted FROM ${db}.cost_per_accepted WHERE round = {round:Int32}`, { round });
  const c = cost.rows[0];
  return {
    round,
    steps,
    cost: c && { tokens: Number(c.tokens), cost_usd: Number(c.cost_usd), accepted: Number(c.accepted), usd_per_accepted: c.usd_per_accepted == null ? null : Number(c.usd_per_accepted) },
  };
}

/** The funnel as a text table: each step, its share of the step before, and the breakdown rows under it. */
export function renderFunnelTable(report: RoundReport): string {
  const rows: string[][] = [];
  let previous: number | undefined;
  for (const s of report.steps) {
    const share = previous ? `${((100 * s.records) / previous).toFixed(1)}%` : '';
    rows.push([s.step, String(s.records), share]);
    for (const p of s.parts) rows.push([`  ${p.breakdown}`, String(p.records), s.records ? `${((100 * p.records) / s.records).toFixed(1)}%` : '']);
    // sft / rl_groups / discarded all split the rollouts; compare each to the rollouts, not to each other
    if (!['sft', 'rl_groups', 'discarded', 'accepted'].includes(s.step)) previous = s.records;
  }
  const lines = [`round ${report.round} — yield funnel`, table(['step', 'records', 'of previous'], rows, [false, true, true])];
  if (report.cost) {
    const perSample = report.cost.usd_per_accepted == null ? 'n/a' : `$${report.cost.usd_per_accepted.toFixed(6)}`;
    lines.push('', `tokens ${report.cost.tokens}, cost $${report.cost.cost_usd.toFixed(6)}, accepted ${report.cost.accepted}, per accepted sample ${perSample}`);
  }
  return lines.join('\n');
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * A horizontal bar chart of the funnel (log-scaled so small late steps stay visible), as a standalone SVG.
 * Steps with a breakdown (questions per style, CPT samples per origin) are stacked bars with a legend below.
 */
export function renderFunnelSvg(report: RoundReport): string {
  const width = 800;
  const labelWidth = 120;
  const barArea = width - labelWidth - 70;
  const rowHeight = 30;
  const top = 40;
  const legendTop = top + report.steps.length * rowHeight + 16;
  const legend = legendLines(report, width - 20);
  const height = legendTop + legend.length * 20 + 10;
  const max = Math.max(1, ...report.steps.map((s) => s.records));
  const scale = (n: number) => (n <= 0 ? 0 : (Math.log10(n + 1) / Math.log10(max + 1)) * barArea);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">flywheel round ${report.round} — yield funnel (log scale)</text>`,
  ];
  report.steps.forEach((s, i) => {
    const y = top + i * rowHeight;
    const total = scale(s.records);
    out.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(s.step)}</text>`);
    let x = labelWidth; // stacked parts share the step's bar in proportion to their counts
    const parts = s.parts.length ? s.parts.map((p, j) => ({ ...p, color: partColor(j) })) : [{ breakdown: '', records: s.records, color: PALETTE[0] }];
    for (const p of parts) {
      const w = s.records ? (total * p.records) / s.records : 0;
      const title = p.breakdown ? `${s.step} ${p.breakdown}: ${p.records}` : `${s.step}: ${p.records}`;
      out.push(`<rect x="${x.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${p.color}"><title>${escapeXml(title)}</title></rect>`);
      x += w;
    }
    out.push(`<text x="${(labelWidth + total + 6).toFixed(1)}" y="${y + 17}">${s.records}</text>`);
  });
  legend.forEach((line, i) => {
    const y = legendTop + i * 20;
    for (const item of line) {
      if (item.color) out.push(`<rect x="${item.x}" y="${y - 10}" width="10" height="10" fill="${item.color}"/>`);
      out.push(`<text x="${item.x + (item.color ? 14 : 0)}" y="${y}"${item.color ? '' : ' font-weight="bold"'}>${escapeXml(item.text)}</text>`);
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Legend rows: "<step>:" then one swatch per part, wrapped to `width`. */
function legendLines(report: RoundReport, width: number): Array<Array<{ x: number; text: string; color?: string }>> {
  const lines: Array<Array<{ x: number; text: string; color?: string }>> = [];
  const charWidth = 6.5;
  for (const s of report.steps.filter((step) => step.parts.length)) {
    let line: Array<{ x: number; text: string; color?: string }> = [{ x: 10, text: `${s.step}:` }];
    let x = 10 + (s.step.length + 2) * charWidth;
    s.parts.forEach((p, j) => {
      const text = `${p.breakdown} ${p.records}`;
      const w = 14 + text.length * charWidth + 12;
      if (x + w > width) {
        lines.push(line);
        line = [];
        x = 10 + (s.step.length + 2) * charWidth;
      }
      line.push({ x, text, color: partColor(j) });
      x += w;
    });
    lines.push(line);
  }
  return lines;
}

function partColor(index: number): string {
  return PALETTE[(index + 1) % PALETTE.length];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
