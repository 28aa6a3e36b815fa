import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';

export interface HealthProbe {
  live(): boolean;
  ready(): boolean;
}

/** A service's own route beside the standard ones: return true when it answered the request. */
export type ExtraRoute = (url: string, req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

/** /healthz (liveness), /readyz (readiness) and /metrics (Prometheus) on one port, plus a service's own routes. */
export async function startHealthServer(
  port: number,
  probe: HealthProbe,
  registry: client.Registry,
  extra?: ExtraRoute,
): Promise<http.Server & { port: number }> {
  const server = http.createServer(async (req, res) => {
    const url = req.url?.split('?')[0] ?? '';
    if (url === '/healthz' || url === '/readyz') {
      const ok = url === '/healthz' ? probe.live() : probe.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    } else if (url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    } else if (!(await extra?.(url, req, res))) {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}
