import type { Context } from 'hono';
import type { AnalyticsQuerier } from '../../analytics/querier.ts';
import type { ViewerConfig } from '../config.ts';
import { page, type Html } from '../views/layout.ts';

export interface RedriveFilter {
  stage?: string;
  code?: string;
}

/** What the routes need: the read-only querier, the config, and re-drive when the CLI wires it (never in read-only mode). */
export interface ViewerDeps {
  querier: AnalyticsQuerier;
  config: Pick<ViewerConfig, 'VIEWER_READ_ONLY' | 'VIEWER_PAGE_SIZE'>;
  redrive?(filter: RedriveFilter): Promise<{ redriven: number; skipped: number }>;
}

export function render(c: Context, deps: ViewerDeps, title: string, body: Html, scripts?: string[], status: 200 | 400 | 403 | 404 | 500 = 200) {
  return c.html(page({ title, path: c.req.path, body, scripts, via: deps.querier.via }), status);
}
