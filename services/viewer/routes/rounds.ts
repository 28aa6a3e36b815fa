import { html } from 'hono/html';
import type { Hono } from 'hono';
import { BadRequestError } from '../errors.ts';
import { listRounds, loadRound } from '../queries/rounds.ts';
import { funnelComparison, roundsBody, roundSection } from '../views/rounds.ts';
import { render, type ViewerDeps } from './context.ts';

export function roundNumber(value: string | undefined, name: string): number {
  if (!value || !/^\d{1,9}$/.test(value)) throw new BadRequestError(`${name}: expected a round number (got "${value ?? ''}")`);
  return Number(value);
}

export function roundRoutes(app: Hono, deps: ViewerDeps): void {
  app.get('/', (c) => c.redirect('/rounds'));
  app.get('/rounds', async (c) => render(c, deps, 'Rounds', roundsBody(await listRounds(deps.querier))));
  app.get('/rounds/compare', async (c) => {
    const a = roundNumber(c.req.query('a'), 'a');
    const b = roundNumber(c.req.query('b'), 'b');
    const [left, right] = await Promise.all([loadRound(deps.querier, a), loadRound(deps.querier, b)]);
    const max = Math.max(...[left, right].flatMap((d) => d.report.steps.map((s) => s.records)));
    const body = html`${funnelComparison(left, right)}<div class="side-by-side">${roundSection(left, 'funnel-a', max)}${roundSection(right, 'funnel-b', max)}</div>`;
    return render(c, deps, `Round ${a} and round ${b}`, body, ['/vendor/chart.js']);
  });
  app.get('/rounds/:round', async (c) => {
    const round = roundNumber(c.req.param('round'), 'round');
    return render(c, deps, `Round ${round}: funnel, drops, acceptance, cost`, roundSection(await loadRound(deps.querier, round), 'funnel-a'), ['/vendor/chart.js']);
  });
}
