import { TransientError } from '../../platform/errors.ts';
import type { SearchBackend, SearchResult } from './search.ts';

/**
 * Adapter for an external search API: `urlTemplate` holds `{query}` (and optionally `{limit}`); the reply may be
 * a list of results, or an object with `results`, `organic` (Serper-style) or `items`, each having a title, a
 * link/url and a snippet/description. An API key, when given, goes in the header named by `apiKeyHeader`.
 */
export function httpSearchBackend(options: { urlTemplate: string; apiKey?: string; apiKeyHeader?: string; timeoutMs?: number }): SearchBackend {
  return {
    async search(query, limit, signal) {
      const url = options.urlTemplate.replace('{query}', encodeURIComponent(query)).replace('{limit}', String(limit));
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.apiKey) headers[options.apiKeyHeader ?? 'x-api-key'] = options.apiKey;
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 15000);
      let response: Response;
      try {
        response = await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (error) {
        throw new TransientError(`search API unreachable: ${(error as Error).message}`, { cause: error });
      }
      if (response.status === 429 || response.status >= 500) throw new TransientError(`search API answered ${response.status}`);
      if (!response.ok) throw new Error(`search API answered ${response.status}`);
      return parseResults(await response.json()).slice(0, limit);
    },
  };
}

export function parseResults(body: unknown): SearchResult[] {
  const record = (body ?? {}) as Record<string, unknown>;
  const list = Array.isArray(body) ? body : (record.results ?? record.organic ?? record.items ?? []);
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => {
      const r = (item ?? {}) as Record<string, unknown>;
      const text = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : '');
      return { title: text('title'), url: text('link') || text('url'), snippet: text('snippet') || text('description') || text('content') };
    })
    .filter((r) => r.url || r.title);
}
