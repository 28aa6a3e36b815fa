import http from 'node:http';
import type { Socket } from 'node:net';
import type { ClickHouseClient } from '../../services/platform/clickhouse.ts';

/**
 * ClickHouse's HTTP interface in front of the embedded engine, so the CLICKHOUSE_URL code path (the
 * @clickhouse/client HTTP transport, its errors, the readonly URL setting) runs against a real engine on a
 * machine without a ClickHouse server. Only transport: every statement is executed by chdb as sent. It can be
 * stopped and restarted on the same port to play a ClickHouse outage.
 */
export class ClickHouseHttpBridge {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  requests = 0;

  constructor(
    private readonly engine: ClickHouseClient,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Closes the port and cuts open connections: requests in flight fail like a crashed server's. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requests++;
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/ping') return void res.writeHead(200).end('Ok.\n');
    let body = '';
    for await (const chunk of req) body += chunk;
    const sql = [url.searchParams.get('query'), body].filter(Boolean).join('\n');
    const params = Object.fromEntries([...url.searchParams].filter(([k]) => k.startsWith('param_')).map(([k, v]) => [k.slice(6), v]));
    if (url.searchParams.get('readonly') === '1' && !/^\s*(SELECT|WITH|SHOW|DESC|DESCRIBE|EXISTS|EXPLAIN)\b/i.test(sql)) {
      // what a server answers in readonly mode (the embedded engine would keep a SET for the whole session)
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end('Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY)\n');
    }
    try {
      const result = await this.engine.exec({ query: sql, query_params: params });
      res.writeHead(200, { 'content-type': 'text/plain', 'x-clickhouse-summary': '{}' });
      result.stream.pipe(res);
    } catch (error) {
      const message = (error as Error).message;
      const code = (error as { code?: string }).code ?? '0';
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`Code: ${code}. DB::Exception: ${message}\n`);
    }
  }
}

/** A port nothing listens on (yet). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
