import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A scripted success: content and/or tool calls (arguments as a JSON string, an object, or anything at all). */
export interface FakeSuccess {
  content?: string;
  tool_calls?: Array<{ id?: string; name: string; arguments: unknown }>;
  finish_reason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  model?: string;
  /** Extra latency for this reply only. */
  delayMs?: number;
}

/** Faults on demand. `timeout` never answers; `truncated` ends the body or stream half-way; `reset` kills the socket. */
export type FakeFault =
  | { fault: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  | { fault: 'server_error'; status?: number }
  | { fault: 'timeout' }
  | { fault: 'malformed_json' }
  | { fault: 'truncated' }
  | { fault: 'reset' }
  | { fault: 'bad_request'; status?: number }
  /** A tool call whose arguments are cut-off JSON. */
  | { fault: 'invalid_tool_arguments' };

export type FakeReply = FakeSuccess | FakeFault;

export interface RecordedRequest {
  n: number;
  method: string;
  path: string;
  body: Record<string, unknown> & { messages?: Array<{ role: string; content: string }>; stream?: boolean };
  headers: http.IncomingHttpHeaders;
  /** Date.now() when the request arrived. */
  at: number;
}

export type Responder = (request: RecordedRequest) => FakeReply;

export interface FakeOpenAiServerOptions {
  /** Latency added to every answer (faults included, except `timeout`). */
  latencyMs?: number;
  /** Answers when the script is empty; default: echoes the last user message. */
  responder?: Responder;
}

/** The default answer: "echo: <last user message>". */
export const echoResponder: Responder = (request) => {
  const last = [...(request.body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return { content: `echo: ${last?.content ?? ''}` };
};

/**
 * An OpenAI-compatible HTTP server for tests (node:http on a free port): /v1/chat/completions (JSON and SSE)
 * and /v1/models. Replies come from a FIFO script, then from a responder; every request is recorded so a
 * test can assert what was (or was not) sent.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  latencyMs: number;
  responder: Responder;
  inFlight = 0;
  peakInFlight = 0;
  private readonly script: FakeReply[] = [];
  private readonly server: http.Server;
  private port = 0;

  private constructor(options: FakeOpenAiServerOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.responder = options.responder ?? echoResponder;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  static async start(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
    const fake = new FakeOpenAiServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** Base URL to give the client (ends in /v1). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Chat requests received so far. */
  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  /** Queues replies, answered in order before the responder takes over. */
  enqueue(...replies: FakeReply[]): this {
    this.script.push(...replies);
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').split('?')[0];
    let body: RecordedRequest['body'] = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'request body is not JSON' } }));
      return;
    }
    const request: RecordedRequest = { n: this.requests.length, method: req.method ?? 'GET', path, body, headers: req.headers, at: Date.now() };
    this.requests.push(request);
    if (path.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'test' }] }));
      return;
    }
    if (!path.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    const next = this.script.shift() ?? this.responder(request);
    const reply: FakeReply = 'fault' in next && next.fault === 'invalid_tool_arguments' ? { tool_calls: [{ name: 'search', arguments: '{"query": "unfinished' }] } : next;
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if ('fault' in reply && reply.fault === 'timeout') {
        await new Promise<void>((resolve) => res.on('close', resolve)); // hold until the client gives up
        return;
      }
      const delay = this.latencyMs + (('delayMs' in reply && reply.delayMs) || 0);
      if (delay > 0) await sleep(delay);
      if ('fault' in reply) this.fail(reply as Exclude<FakeFault, { fault: 'invalid_tool_arguments' }>, res, body.stream === true);
      else if (body.stream === true) this.stream(reply, body, res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(reply, body)));
    } finally {
      this.inFlight--;
    }
  }

  private fail(reply: Exclude<FakeFault, { fault: 'invalid_tool_arguments' }>, res: http.ServerResponse, streaming: boolean): void {
    const json = (status: number, message: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { message, type: 'fake' } }));
    switch (reply.fault) {
      case 'rate_limit': {
        const headers: Record<string, string> = {};
        if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
        if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
        return void json(429, 'rate limit reached', headers);
      }
      case 'server_error':
        return void json(reply.status ?? 500, 'internal error');
      case 'bad_request':
        return void json(reply.status ?? 400, 'bad request');
      case 'malformed_json':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [{"message": {"content": "unfinished');
      case 'reset':
        return void res.socket?.destroy();
      case 'truncated':
        if (streaming) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(sse({ id: 'c', object: 'chat.completion.chunk', model: 'fake-model', choices: [{ index: 0, delta: { role: 'assistant', content: 'half an ans' } }] }));
          return void res.end(); // no finish_reason, no [DONE]
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        res.write('{"id": "x", "choices": [{"message": {"content": "half');
        return void res.socket?.destroy();
    }
  }

  private stream(reply: FakeSuccess, body: RecordedRequest['body'], res: http.ServerResponse): void {
    const full = completion(reply, body);
    const base = { id: full.id, object: 'chat.completion.chunk', created: full.created, model: full.model };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant' } }] }));
    const content = reply.content ?? '';
    for (let i = 0; i < content.length; i += 8) res.write(sse({ ...base, choices: [{ index: 0, delta: { content: content.slice(i, i + 8) } }] }));
    full.choices[0].message.tool_calls?.forEach((call, index) => {
      const args = call.function.arguments;
      const half = typeof args === 'string' ? Math.ceil(args.length / 2) : 0;
      res.write(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: typeof args === 'string' ? args.slice(0, half) : args } }] } }] }));
      if (typeof args === 'string') res.write(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: args.slice(half) } }] } }] }));
    });
    res.write(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: full.choices[0].finish_reason }] }));
    res.write(sse({ ...base, choices: [], usage: full.usage }));
    res.end('data: [DONE]\n\n');
  }
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

let ids = 0;
function completion(reply: FakeSuccess, body: RecordedRequest['body']) {
  const toolCalls = reply.tool_calls?.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  const content = reply.content ?? (toolCalls ? null : '');
  const usage = reply.usage ?? {
    prompt_tokens: Math.ceil(JSON.stringify(body.messages ?? []).length / 4),
    completion_tokens: Math.max(1, Math.ceil(((content ?? '').length + JSON.stringify(toolCalls ?? []).length * (toolCalls ? 1 : 0)) / 4)),
  };
  return {
    id: `chatcmpl-fake-${++ids}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? String(body.model ?? 'fake-model'),
    choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: reply.finish_reason ?? (toolCalls ? 'tool_calls' : 'stop') }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}
