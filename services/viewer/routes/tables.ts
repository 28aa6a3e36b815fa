import type { Hono } from 'hono';
import { NotFoundError } from '../errors.ts';
import { filterOptions, loadPage, parsePageRequest } from '../queries/page.ts';
import { TABLES, tableSpec } from '../queries/specs.ts';
import { redriveForm } from '../views/record.ts';
import { tableBody } from '../views/table.ts';
import { html } from 'hono/html';
import { render, type ViewerDeps } from './context.ts';

export function tableRoutes(app: Hono, deps: ViewerDeps): void {
  app.get('/tables', (c) => c.redirect(`/tables/${TABLES[0].kind}`));
  app.get('/tables/:kind', async (c) => {
    const spec = tableSpec(c.req.param('kind'));
    if (!spec) throw new NotFoundError(`no table "${c.req.param('kind')}" (one of ${TABLES.map((t) => t.kind).join(', ')})`);
    const req = parsePageRequest(spec, c.req.query(), deps.config.VIEWER_PAGE_SIZE);
    const [page, options] = await Promise.all([loadPage(deps.querier, spec, req), filterOptions(deps.querier, spec)]);
    const extra = spec.kind === 'dlq' ? redriveForm(deps.config.VIEWER_READ_ONLY, { stage: req.filters.stage, code: req.filters.code }) : html``;
    return render(c, deps, spec.title, html`${tableBody(spec, req, page, options)}${extra}`);
  });
}
