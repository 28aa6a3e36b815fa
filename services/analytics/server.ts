import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';
import type { ClickHouseClient } from '../platform/clickhouse.ts';
import { errorCode, errorMessage } from '../platform/errors.ts';
import type { HealthProbe } from '../platform/runtime/health.ts';
import { runReadOnly } from './query.ts';

const MAX_BODY = 1024 * 1024;

/**
 * The analytics service's one port: /healthz, /readyz and /metrics like every stage, plus POST /query
 * ({"sql": "...", "params": {...}} → {"columns": [...], "rows": [...]}) running read-only SQL on the sink's
 * own ClickHouse client — the way other processes read the embedded engine while the sink owns its folder.
 */
export async function startAnalyticsServer(
  port: number,
  probe: HealthProbe,
  registry: client.Registry,
  query?: ClickHouseClient,
): Promise<http.Server & { port: number }> {
  const server = http.createServer(async (req, res) => {
    const url = req.url?.split('?')[0];
    if (url === '/healthz' || url === '/readyz') {
      const ok = url === '/healthz' ? probe.live() : probe.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    } else if (url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    } else if (url === '/query' && query && req.method === 'POST') {
      await handleQuery(req, res, query);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

async function handleQuery(req: http.IncomingMessage, res: http.ServerResponse, client: ClickHouseClient): Promise<void> {
  const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_BODY) return send(413, { error: 'query body too large', code: 'TOO_LARGE' });
  }
  let request: { sql?: unknown; params?: unknown };
  try {
    request = JSON.parse(text);
  } catch {
    return send(400, { error: 'expected JSON {"sql": "...", "params": {}}', code: 'BAD_REQUEST' });
  }
  if (typeof request.sql !== 'string') return send(400, { error: 'missing "sql"', code: 'BAD_REQUEST' });
  try {
    send(200, await runReadOnly(client, request.sql, (request.params as Record<string, unknown>) ?? {}));
  } catch (error) {
    send(400, { error: errorMessage(error), code: errorCode(error) });
  }
}
