import http from 'node:http';
import https from 'node:https';
import { APIError } from 'openai';

/**
 * Non-streamed chat completions over node:http(s) with a keep-alive agent, in place of the openai SDK's path
 * (undici fetch, web streams, its request builder): measured 0.25 ms of CPU a request against 0.9 ms through the
 * SDK on this machine. At hundreds of requests a second that difference is the client's event loop, which
 * delays every reply waiting behind it (bench/llm.ts). Failures look like the SDK's — an `APIError` with status
 * and headers for an HTTP error, a SyntaxError for a body that is not JSON, a Node error with its code for a cut
 * connection — so `classifyFailure` sorts both paths alike. Streaming stays on the SDK.
 */
export class JsonTransport {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly headers: Record<string, string>;

  constructor(baseURL: string, apiKey: string) {
    this.url = new URL(`${baseURL.replace(/\/+$/, '')}/chat/completions`);
    const secure = this.url.protocol === 'https:';
    // an idle socket is closed before a server's usual keep-alive timeout (5 s) could close it under a request
    const options = { keepAlive: true, timeout: 4000 };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
    this.request = secure ? https.request : http.request;
    this.headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}`, 'user-agent': 'flywheel' };
  }

  /** POSTs the body; resolves with the parsed JSON reply of a 2xx, rejects like the SDK otherwise. */
  post(body: unknown, signal: AbortSignal): Promise<unknown> {
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise((resolve, reject) => {
      const req = this.request(this.url, { method: 'POST', agent: this.agent, signal, headers: { ...this.headers, 'content-length': String(payload.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(Object.assign(new Error('the connection closed before the reply was complete'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve(JSON.parse(text));
            } catch (error) {
              reject(error);
            }
            return;
          }
          reject(statusError(status, text, res.headers));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The SDK's error for an HTTP status (RateLimitError, InternalServerError, …), headers included for Retry-After. */
function statusError(status: number, text: string, raw: http.IncomingHttpHeaders): APIError {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return APIError.generate(status, json as object | undefined, json === undefined ? text : undefined, headers);
}
