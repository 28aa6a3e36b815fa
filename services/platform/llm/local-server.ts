import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import { LocalModel, type LocalModelOptions, type WireChatRequest } from './local-model.ts';

export interface LocalLlmServer {
  readonly url: string;
  readonly port: number;
  readonly model: LocalModel;
  close(): Promise<void>;
}

/**
 * The embedded model behind an OpenAI-compatible endpoint (/v1/chat/completions with JSON or SSE replies,
 * /v1/models, /healthz), so the rest of flywheel only ever speaks the OpenAI protocol.
 */
export async function startLocalLlmServer(options: LocalModelOptions & { host: string; port: number; logger?: Logger }): Promise<LocalLlmServer> {
  const model = await LocalModel.load(options);
  const log = options.logger;
  const server = http.createServer((req, res) => {
    void route(req, res).catch((error) => {
      log?.error({ err: error }, 'local LLM request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { message: (error as Error).message, type: 'server_error' } });
      else res.end();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && url === '/healthz') return void res.writeHead(200).end('ok\n');
    if (req.method === 'GET' && url === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: options.name, object: 'model', created: 0, owned_by: 'flywheel-local' }] });
    }
    if (req.method !== 'POST' || url !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: `no route ${req.method} ${url}`, type: 'not_found' } });
    let body: WireChatRequest & { stream?: boolean; model?: string };
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } });
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) return sendJson(res, 400, { error: { message: 'messages: expected a non-empty array', type: 'invalid_request_error' } });
    const abort = new AbortController();
    res.on('close', () => abort.abort()); // the client went away: stop generating
    const id = `chatcmpl-${randomBytes(8).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: options.name };
    const started = Date.now();
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const chunk = (delta: unknown, finish: string | null = null) => res.write(sse({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] }));
      chunk({ role: 'assistant', content: '' });
      const done = await model.complete(body, { signal: abort.signal, onText: (text) => chunk({ content: text }) });
      if (done.toolCalls.length) chunk({ tool_calls: done.toolCalls.map((c, index) => ({ index, id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) });
      chunk({}, done.finishReason);
      res.write(sse({ ...base, object: 'chat.completion.chunk', choices: [], usage: usage(done) }));
      res.end('data: [DONE]\n\n');
      log?.debug({ ms: Date.now() - started, output: done.outputTokens }, 'local completion (stream)');
      return;
    }
    const done = await model.complete(body, { signal: abort.signal });
    log?.debug({ ms: Date.now() - started, output: done.outputTokens }, 'local completion');
    const toolCalls = done.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: done.content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: done.finishReason }],
      usage: usage(done),
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host}:${port}/v1`;
  log?.info({ url, model: options.name }, 'local OpenAI-compatible endpoint ready');
  return {
    url,
    port,
    model,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await model.close();
    },
  };
}

function usage(done: { inputTokens: number; outputTokens: number }) {
  return { prompt_tokens: done.inputTokens, completion_tokens: done.outputTokens, total_tokens: done.inputTokens + done.outputTokens };
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
