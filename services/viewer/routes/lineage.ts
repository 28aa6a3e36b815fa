import type { Hono } from 'hono';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { loadLineage } from '../queries/lineage.ts';
import { lineageBody } from '../views/lineage.ts';
import { render, type ViewerDeps } from './context.ts';

export function lineageRoutes(app: Hono, deps: ViewerDeps): void {
  app.get('/lineage', (c) => {
    const id = (c.req.query('id') ?? '').trim();
    if (!id) throw new BadRequestError('id: give the id of a record');
    return c.redirect(`/lineage/${encodeURIComponent(id)}`);
  });
  app.get('/lineage/:id', async (c) => {
    const id = c.req.param('id');
    const lineage = await loadLineage(deps.querier, id);
    if (!lineage.nodes.some((n) => n.depth === 0 && n.table)) throw new NotFoundError(`no record with id "${id}" in the analytics store`);
    return render(c, deps, `Lineage of ${id}`, lineageBody(lineage), ['/vendor/dagre.js']);
  });
}
