import type { Hono } from 'hono';
import { html } from 'hono/html';
import { NotFoundError } from '../errors.ts';
import { isSource, loadLineage } from '../queries/lineage.ts';
import { loadGroup, loadRecord, toSteps, trajectoryTopics } from '../queries/records.ts';
import { errorBody } from '../views/layout.ts';
import { deadLetterBody, hasBody, recordBody } from '../views/record.ts';
import { trajectoryBody } from '../views/trajectory.ts';
import { render, type ViewerDeps } from './context.ts';

export function recordRoutes(app: Hono, deps: ViewerDeps): void {
  const q = deps.querier;
  app.get('/records/:id', async (c) => {
    const id = c.req.param('id');
    const { table, row } = await loadRecord(q, id);
    if (table === 'trajectories') return c.redirect(`/trajectories/${encodeURIComponent(id)}`);
    if (table === 'has_samples') return c.redirect(`/has/${encodeURIComponent(id)}`);
    if (table === 'dead_letters') return c.redirect(`/dlq/${encodeURIComponent(id)}`);
    const title = String(row.title || row.question || '') || `${table} ${id}`;
    return render(c, deps, title.slice(0, 120), recordBody(table, row));
  });

  app.get('/trajectories/:id', async (c) => {
    const id = c.req.param('id');
    const { table, row } = await loadRecord(q, id, c.req.query('topic'));
    if (table !== 'trajectories') throw new NotFoundError(`"${id}" is a record of ${table}, not a trajectory`);
    const db = q.database;
    const [topics, group, sources, has] = await Promise.all([
      trajectoryTopics(q, id),
      loadGroup(q, String(row.question_id), Number(row.round)),
      loadLineage(q, id, { children: false }),
      q.query(`SELECT id, step_index FROM ${db}.has_samples FINAL WHERE trajectory_id = {id:String} ORDER BY step_index, id`, { id }),
    ]);
    const body = trajectoryBody({ row, steps: toSteps(row.steps), topics, groupId: group.groupId, siblings: group.siblings, sources: sources.nodes.filter(isSource), hasSamples: has.rows });
    return render(c, deps, `Trajectory ${id}`, body);
  });

  app.get('/has/:id', async (c) => {
    const { table, row } = await loadRecord(q, c.req.param('id'));
    if (table !== 'has_samples') throw new NotFoundError(`"${c.req.param('id')}" is a record of ${table}, not a HAS sample`);
    return render(c, deps, `HAS decision at step ${String(row.step_index)}`, hasBody(row));
  });

  app.get('/dlq', (c) => c.redirect('/tables/dlq'));
  app.get('/dlq/:id', async (c) => {
    const { table, row } = await loadRecord(q, c.req.param('id'));
    if (table !== 'dead_letters') throw new NotFoundError(`"${c.req.param('id')}" is not a dead letter`);
    return render(c, deps, `Dead letter ${String(row.id)}`, deadLetterBody(row, deps.config.VIEWER_READ_ONLY));
  });
  app.post('/dlq/redrive', async (c) => {
    if (deps.config.VIEWER_READ_ONLY || !deps.redrive) {
      return render(c, deps, 'Re-drive refused', errorBody(403, 'the viewer runs read-only: re-drive is refused (start it with --allow-redrive to enable it)'), undefined, 403);
    }
    const form = await c.req.parseBody();
    const filter = { stage: String(form.stage ?? '') || undefined, code: String(form.code ?? '') || undefined };
    const result = await deps.redrive(filter);
    return render(c, deps, 'Re-drive done', html`<p role="status">Re-driven ${result.redriven} dead letter(s), skipped ${result.skipped}.</p><p><a href="/tables/dlq">Back to the dead letters</a></p>`);
  });
}
