import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** The page's own script and style, and the chart and graph-layout libraries straight from node_modules (no build step). */
const FILES: Record<string, { file: () => string; type: string }> = {
  '/static/viewer.js': { file: () => path.join(here, '../static/viewer.js'), type: 'text/javascript' },
  '/static/viewer.css': { file: () => path.join(here, '../static/viewer.css'), type: 'text/css' },
  '/vendor/chart.js': { file: () => path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript' },
  '/vendor/dagre.js': { file: () => path.join(path.dirname(require.resolve('@dagrejs/dagre')), 'dagre.min.js'), type: 'text/javascript' },
};

export function staticRoutes(app: Hono): void {
  const cache = new Map<string, string>();
  for (const [route, { file, type }] of Object.entries(FILES)) {
    app.get(route, (c) => {
      let body = cache.get(route);
      if (body === undefined) cache.set(route, (body = fs.readFileSync(file(), 'utf8')));
      return c.body(body, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=300' });
    });
  }
}
