import MiniSearch from 'minisearch';
import type { Document } from '../../platform/generated/records.ts';
import { queryTerms, splitSentences, STOPWORDS } from './text.ts';

export interface Page {
  id: string;
  url: string;
  title: string;
  text: string;
  sourceKind: string;
  isPaper: boolean;
}

export interface Hit {
  page: Page;
  score: number;
}

const PAPER_URL = /arxiv\.org|doi\.org|aclanthology|openreview\.net|semanticscholar|pubmed|\.pdf($|\?)/i;

/** Where a page without its own URL lives in the offline web. */
export function localUrl(id: string): string {
  return `local://doc/${id}`;
}

/** A document counts as a paper (for `scholar`) by its source kind, its URL, or an explicit quality flag. */
export function isPaper(doc: Pick<Document, 'source_kind' | 'url' | 'quality'>): boolean {
  return ['paper', 'scholar', 'arxiv'].includes(doc.source_kind) || PAPER_URL.test(doc.url) || (doc.quality?.paper ?? 0) > 0;
}

/**
 * The offline web: every fw.docs document as a page, searchable with BM25 (MiniSearch's BM25+ ranking over
 * title and text, title boosted) and addressable by id, URL or title.
 */
export class Corpus {
  private readonly pages = new Map<string, Page>();
  private readonly byUrl = new Map<string, string>();
  private readonly byTitle = new Map<string, string>();
  private readonly hashes = new Map<string, string>();
  private readonly index = new MiniSearch<Page>({
    fields: ['title', 'text'],
    storeFields: [],
    processTerm: (term) => {
      const t = term.toLowerCase();
      return STOPWORDS.has(t) ? null : t;
    },
    searchOptions: { boost: { title: 2 }, combineWith: 'OR' },
  });

  get size(): number {
    return this.pages.size;
  }

  /** Adds or replaces a document; a re-delivered identical document is a no-op. */
  add(doc: Pick<Document, 'id' | 'url' | 'title' | 'text' | 'source_kind' | 'content_hash' | 'quality'>): void {
    if (this.hashes.get(doc.id) === doc.content_hash) return;
    if (this.pages.has(doc.id)) this.index.discard(doc.id);
    const page: Page = { id: doc.id, url: doc.url || localUrl(doc.id), title: doc.title, text: doc.text, sourceKind: doc.source_kind, isPaper: isPaper(doc) };
    this.pages.set(doc.id, page);
    this.hashes.set(doc.id, doc.content_hash);
    this.byUrl.set(page.url, doc.id);
    if (doc.title && !this.byTitle.has(doc.title.toLowerCase())) this.byTitle.set(doc.title.toLowerCase(), doc.id);
    this.index.add(page);
  }

  search(query: string, options: { limit?: number; papersOnly?: boolean } = {}): Hit[] {
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    const filter = options.papersOnly ? (r: { id: string }) => this.pages.get(r.id)?.isPaper === true : undefined;
    return this.index
      .search(terms.join(' '), { filter })
      .slice(0, options.limit ?? 10)
      .map((r) => ({ page: this.pages.get(r.id as string)!, score: r.score }));
  }

  /** A page by id, `local://doc/<id>`, URL or (case-insensitive) title. */
  get(ref: string): Page | undefined {
    const key = ref.trim();
    const id = this.pages.has(key) ? key : (this.byUrl.get(key) ?? this.byTitle.get(key.toLowerCase()));
    if (id) return this.pages.get(id);
    const local = /^local:\/\/doc\/(.+)$/.exec(key);
    return local ? this.pages.get(local[1]) : undefined;
  }

  /** The sentences of `page` that share the most terms with `goal`, in page order. */
  relevantSentences(page: Page, goal: string, limit = 3): string[] {
    const terms = new Set(queryTerms(goal));
    const sentences = splitSentences(page.text);
    const scored = sentences.map((s, i) => ({ s, i, score: queryTerms(s).filter((t) => terms.has(t)).length }));
    return scored
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, limit)
      .sort((a, b) => a.i - b.i)
      .map((x) => x.s);
  }
}
