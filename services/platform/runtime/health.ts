import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';

export interface HealthProbe {
  live(): boolean;
  ready(): boolean;
}

/** /healthz (liveness), /readyz (readiness) and /metrics (Prometheus) on one port. */
export async function startHealthServer(port: number, probe: HealthProbe, registry: client.Registry): Promise<http.Server & { port: number }> {
  const server = http.createServer(async (req, res) => {
    const url = req.url?.split('?')[0];
    if (url === '/healthz' || url === '/readyz') {
      const ok = url === '/healthz' ? probe.live() : probe.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    } else if (url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
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
