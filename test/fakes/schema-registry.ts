import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal Confluent Schema Registry (the endpoints @kafkajs/confluent-schema-registry calls) for testing the
 * wire format where no registry runs. Same schema text → same id, as in the real registry.
 */
export async function startFakeSchemaRegistry(): Promise<{ url: string; schemas: Map<number, string>; close(): Promise<void> }> {
  const schemas = new Map<number, string>();
  const ids = new Map<string, number>();
  const configs = new Map<string, string>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    const send = (status: number, payload: unknown) =>
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(payload));
    const url = decodeURIComponent(req.url ?? '');
    let m: RegExpMatchArray | null;
    if ((m = url.match(/^\/config\/(.+)$/))) {
      if (req.method === 'PUT') {
        configs.set(m[1], body.compatibility);
        return send(200, { compatibility: body.compatibility });
      }
      const level = configs.get(m[1]);
      return level ? send(200, { compatibilityLevel: level }) : send(404, { error_code: 40401, message: 'Subject not found' });
    }
    if ((m = url.match(/^\/subjects\/(.+)\/versions$/)) && req.method === 'POST') {
      let id = ids.get(body.schema);
      if (!id) {
        id = schemas.size + 1;
        ids.set(body.schema, id);
        schemas.set(id, body.schema);
      }
      return send(200, { id });
    }
    if ((m = url.match(/^\/schemas\/ids\/(\d+)$/))) {
      const schema = schemas.get(Number(m[1]));
      return schema ? send(200, { schema }) : send(404, { error_code: 40403, message: 'Schema not found' });
    }
    send(404, { error_code: 404, message: `not implemented: ${req.method} ${url}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    schemas,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
