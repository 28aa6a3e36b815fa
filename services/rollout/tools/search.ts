import type { Corpus, Hit } from '../corpus/corpus.ts';
import { splitSentences, queryTerms, truncate } from '../corpus/text.ts';
import { RESULT_SEPARATOR, stringList, type Tool } from './types.ts';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

/** Anything that answers a query with ranked results: the local BM25 corpus or an external search API. */
export interface SearchBackend {
  search(query: string, limit: number, signal?: AbortSignal): Promise<SearchResult[]>;
}

/** The best-matching sentences of a page, as a snippet. */
export function snippetFor(hit: Hit, query: string, maxChars = 300): string {
  const terms = new Set(queryTerms(query));
  const sentences = splitSentences(hit.page.text);
  const best = sentences
    .map((s, i) => ({ s, i, score: queryTerms(s).filter((t) => terms.has(t)).length }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, 2)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.s)
    .join(' … ');
  return truncate(best || hit.page.text, maxChars);
}

export function corpusBackend(corpus: Corpus, options: { papersOnly?: boolean } = {}): SearchBackend {
  return {
    async search(query, limit) {
      return corpus.search(query, { limit, papersOnly: options.papersOnly }).map((hit) => ({
        title: hit.page.title || hit.page.id,
        url: hit.page.url,
        snippet: snippetFor(hit, query),
      }));
    },
  };
}

export function renderResults(query: string, results: SearchResult[]): string {
  if (results.length === 0) return `No results found for '${query}'. Try a shorter or different query.`;
  const lines = results.map((r, i) => `${i + 1}. [${r.title}](${r.url})\n${r.snippet}`);
  return `A search for '${query}' found ${results.length} results:\n\n## Web Results\n${lines.join('\n\n')}`;
}

export function searchTool(backend: SearchBackend, options: { limit?: number } = {}): Tool {
  return {
    spec: {
      name: 'search',
      description: 'Web search over the corpus. Give one or more queries; returns the top results (title, link, snippet) for each.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Search queries; several are run separately.' } },
        required: ['query'],
      },
    },
    async run(args, ctx) {
      const queries = stringList(args.query, 'query');
      const rendered = await Promise.all(queries.map(async (q) => renderResults(q, await backend.search(q, options.limit ?? 10, ctx.signal))));
      return rendered.join(RESULT_SEPARATOR);
    },
  };
}

/** `scholar`: the same search restricted to papers (see corpus isPaper). */
export function scholarTool(backend: SearchBackend, options: { limit?: number } = {}): Tool {
  return {
    spec: {
      name: 'google_scholar',
      description: 'Search academic papers only. Give one or more queries; returns matching papers (title, link, snippet).',
      parameters: {
        type: 'object',
        properties: { query: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Queries for papers.' } },
        required: ['query'],
      },
    },
    async run(args, ctx) {
      const queries = stringList(args.query, 'query');
      const rendered = await Promise.all(
        queries.map(async (q) => {
          const results = await backend.search(q, options.limit ?? 10, ctx.signal);
          return results.length ? renderResults(q, results).replace('## Web Results', '## Scholar Results') : `No papers found for '${q}'.`;
        }),
      );
      return rendered.join(RESULT_SEPARATOR);
    },
  };
}
