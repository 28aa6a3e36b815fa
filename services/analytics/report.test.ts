import { describe, expect, it } from 'vitest';
import { renderFunnelSvg, renderFunnelTable, type RoundReport } from './report.ts';

const report: RoundReport = {
  round: 3,
  steps: [
    { step: 'docs_in', records: 10, parts: [] },
    { step: 'docs_kept', records: 8, parts: [] },
    { step: 'questions', records: 4, parts: [{ breakdown: 'a<b>&"c"', records: 1 }, { breakdown: 'numeric', records: 3 }] },
    { step: 'rollouts', records: 16, parts: [] },
    { step: 'accepted', records: 4, parts: [] },
    { step: 'sft', records: 2, parts: [] },
    { step: 'cpt_samples', records: 0, parts: [] },
  ],
  cost: { tokens: 1000, cost_usd: 0.5, accepted: 4, usd_per_accepted: 0.125 },
};

describe('round report', () => {
  it('prints each step with its share of the step before; accepted and sft against the rollouts', () => {
    const text = renderFunnelTable(report);
    expect(text).toMatch(/docs_kept\s+8\s+80\.0%/);
    expect(text).toMatch(/ {2}numeric\s+3\s+75\.0%/);
    expect(text).toMatch(/accepted\s+4\s+25\.0%/);
    expect(text).toMatch(/sft\s+2\s+12\.5%/);
    expect(text).toMatch(/cpt_samples\s+0\s+0\.0%/);
    expect(text).toContain('per accepted sample $0.125000');
  });

  it('draws one bar per step, stacked parts with a legend, and escapes names', () => {
    const svg = renderFunnelSvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>questions a&lt;b&gt;&amp;&quot;c&quot;: 1</title>');
    expect(svg).not.toContain('a<b>');
    expect(svg.match(/<rect x="[\d.]+" y="\d+" width="[\d.]+" height="22"/g)).toHaveLength(8); // 6 single bars + 2 parts
    expect(svg).toContain('>questions:</text>');
    expect(svg).toContain('width="0.0"'); // an empty step draws an empty bar, not a broken one
  });
});
