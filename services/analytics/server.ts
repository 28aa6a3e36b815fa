import http from 'node:http';
import type client from 'prom-client';
import type { ClickHouseClient } from '../platform/clickhouse.ts';
import { errorCode, errorMessage } from '../platform/errors.ts';
import { startHealthServer, type HealthProbe } from '../platform/runtime/health.ts';
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
  return startHealthServer(port, probe, registry, async (url, req, res) => {
    if (url !== '/query' || !query || req.method !== 'POST') return false;
    await handleQuery(req, res, query);
    return true;
  });
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
