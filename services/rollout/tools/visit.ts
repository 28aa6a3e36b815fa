import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { Corpus, Page } from '../corpus/corpus.ts';
import { truncate } from '../corpus/text.ts';
import { assertPublicUrl, BlockedAddressError, type Resolver } from './net-guard.ts';
import { RESULT_SEPARATOR, stringList, type Tool, type ToolContext } from './types.ts';

export interface VisitOptions {
  /** Fetch URLs that are not in the corpus from the live web (off by default: the offline web is the corpus). */
  liveWeb?: boolean;
  /** Summarise pages for the goal with the LLM instead of extracting the most relevant sentences. */
  llmSummary?: boolean;
  maxPageChars?: number;
  timeoutMs?: number;
  resolve?: Resolver;
}

const MAX_REDIRECTS = 5;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** `visit`: a page by URL, `local://doc/<id>`, document id or title, with the evidence for the caller's goal. */
export function visitTool(corpus: Corpus, options: VisitOptions = {}): Tool {
  const maxChars = options.maxPageChars ?? 6000;
  return {
    spec: {
      name: 'visit',
      description: 'Visit web pages and return the parts relevant to a goal, plus the page text.',
      parameters: {
        type: 'object',
        properties: {
          url: { type: ['string', 'array'], items: { type: 'string' }, minItems: 1, description: 'Page URL(s) or document ids from search results.' },
          goal: { type: 'string', description: 'What information to look for on the page(s).' },
        },
        required: ['url', 'goal'],
      },
    },
    async run(args, ctx) {
      const urls = stringList(args.url, 'url');
      const goal = typeof args.goal === 'string' ? args.goal : '';
      const pages = await Promise.all(urls.map((u) => visitOne(u, goal, ctx)));
      return pages.join(RESULT_SEPARATOR);
    },
  };

  async function visitOne(ref: string, goal: string, ctx: ToolContext): Promise<string> {
    let page = corpus.get(ref);
    if (!page && options.liveWeb && /^[a-z][a-z0-9+.-]*:/i.test(ref) && !ref.startsWith('local:')) {
      try {
        page = await fetchPage(ref, ctx.signal);
      } catch (error) {
        if (error instanceof BlockedAddressError) return `The page ${ref} was not visited: ${error.message}.`;
        return `The page ${ref} could not be accessed (${(error as Error).message}).`;
      }
    }
    if (!page) return `The page ${ref} is not available. Use a link from the search results.`;
    return render(page, goal, ctx);
  }

  async function render(page: Page, goal: string, ctx: ToolContext): Promise<string> {
    const header = `The useful information in ${page.url} (${page.title}) for user goal "${goal}" as follows:`;
    if (options.llmSummary && ctx.llm && goal) {
      const response = await ctx.llm.chat({
        purpose: 'visit_summary',
        temperature: 0.7,
        signal: ctx.signal,
        messages: [
          { role: 'system', content: 'Extract the passages of the page that serve the goal, then summarise them in a few sentences. Use only the page.' },
          { role: 'user', content: `Goal: ${goal}\n\nPage "${page.title}":\n${truncate(page.text, maxChars * 2)}` },
        ],
      });
      return `${header}\n\nSummary:\n${response.content.trim()}`;
    }
    const evidence = goal ? corpus.relevantSentences(page, goal, 3) : [];
    const parts = [header];
    if (evidence.length) parts.push(`Evidence in page:\n${evidence.join('\n')}`);
    parts.push(`Page content:\n${truncate(page.text, maxChars)}`);
    return parts.join('\n\n');
  }

  async function fetchPage(raw: string, signal?: AbortSignal): Promise<Page> {
    let url = await assertPublicUrl(raw, options.resolve);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 20000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // redirects are followed by hand so that every hop's address is checked again
      const response = await fetch(url, { redirect: 'manual', signal: combined, headers: { accept: 'text/html,text/plain;q=0.9,*/*;q=0.1' } });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = await assertPublicUrl(new URL(location, url).toString(), options.resolve);
        continue;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await readLimited(response);
      const type = response.headers.get('content-type') ?? '';
      const { title, text } = type.includes('html') ? htmlToText(body) : { title: url.hostname, text: body };
      return { id: url.toString(), url: url.toString(), title, text, sourceKind: 'web', isPaper: false };
    }
    throw new Error('too many redirects');
  }
}

async function readLimited(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function htmlToText(html: string): { title: string; text: string } {
  const { document } = parseHTML(html);
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  const title = article?.title || document.title || '';
  const text = (article?.textContent || document.body?.textContent || '').replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n\n').trim();
  return { title, text };
}
