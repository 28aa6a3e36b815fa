import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from '../platform/logger.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import { render, type ViewerDeps } from './routes/context.ts';
import { lineageRoutes } from './routes/lineage.ts';
import { recordRoutes } from './routes/records.ts';
import { roundRoutes } from './routes/rounds.ts';
import { staticRoutes } from './routes/static.ts';
import { tableRoutes } from './routes/tables.ts';
import { errorBody } from './views/layout.ts';

/** The viewer as a Hono app: one route module per view, errors as pages with the right status. */
export function createViewerApp(deps: ViewerDeps, logger?: Logger): Hono {
  const app = new Hono();
  app.use(
    secureHeaders({
      // scripts and styles only from this server: record text cannot run even if it slipped through escaping
      contentSecurityPolicy: {
        defaultSrc: ["'none'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"], formAction: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"],
      },
    }),
  );
  app.use(csrf());
  app.get('/healthz', (c) => c.json({ ok: true }));
  staticRoutes(app);
  roundRoutes(app, deps);
  tableRoutes(app, deps);
  recordRoutes(app, deps);
  lineageRoutes(app, deps);
  app.notFound((c) => render(c, deps, 'Not found', errorBody(404, `no view at ${c.req.path}`), undefined, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status === 403) {
      return render(c, deps, 'Forbidden', errorBody(403, 'a form from another site was refused'), undefined, 403);
    }
    const status = error instanceof BadRequestError ? 400 : error instanceof NotFoundError ? 404 : 500;
    if (status === 500) logger?.error({ err: error, path: c.req.path }, 'viewer request failed');
    // a store error can quote the whole query: the page shows its first line, the log has the rest
    const message = status === 500 ? error.message.split('\n')[0].slice(0, 300) : error.message;
    return render(c, deps, status === 500 ? 'Error' : status === 404 ? 'Not found' : 'Bad request', errorBody(status, message), undefined, status);
  });
  return app;
}

export interface RunningViewer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the viewer on host:port (port 0 = any free port). */
export async function startViewer(deps: ViewerDeps, options: { host: string; port: number; logger?: Logger }): Promise<RunningViewer> {
  const app = createViewerApp(deps, options.logger);
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
