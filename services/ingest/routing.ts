import { defaultMinHash, MinHasher, NearDuplicateIndex, type MinHashOptions } from '../lib/minhash.ts';
import { contentHash, normaliseText, truncateText } from '../lib/text.ts';
import { parsePosition } from './dedup.ts';

/** Where a raw record goes: under a key (hashed to a partition), or straight to a partition. */
export interface Route {
  key?: string;
  partition?: number;
}

/**
 * Routing compares the same signatures as the stage, with more and shorter LSH bands (candidates from about
 * 0.45 estimated Jaccard instead of 0.7) and a lower bar: putting two documents on one partition only lets the
 * stage compare them, so erring towards co-location costs balance, never a wrong drop. The HTML text here is
 * rougher than the stage's Readability text, which this slack makes up for.
 */
const routingMinHash: MinHashOptions = { ...defaultMinHash, bands: 32 };
export const ROUTE_THRESHOLD = 0.5;

/** Most of the stage's cleaning at a fraction of its cost (no Readability, no DOM); the stage's own text for plain text. */
export function routingText(doc: { content_type: string; body: string }, maxChars = 20000): string {
  const body = doc.content_type === 'text/html' ? roughHtmlText(doc.body) : doc.body;
  return truncateText(normaliseText(body), maxChars).text;
}

const BOILERPLATE = /<(script|style|noscript|nav|header|footer|aside|form|svg|iframe)\b[\s\S]*?<\/\1\s*>/gi;

function roughHtmlText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(BOILERPLATE, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, ' ');
}

/**
 * The producer's half of deterministic dedup: a document near-identical to an earlier one of the run (or to a
 * kept document of an earlier run, from fw.ingest.signatures) goes where that one went, so the pair meets on one
 * input partition of the ingest stage, in file order, and the stage's decision does not depend on timing.
 */
export class NearDuplicateRouter {
  private readonly index = new NearDuplicateIndex(routingMinHash, ROUTE_THRESHOLD);
  /** By content hash of the routing text (this run's documents) or of the stage's text (earlier runs' kept ones). */
  private readonly routes = new Map<string, Route>();
  /** Raw record ids an earlier run kept (HTML's routing text is not the stage's: its hash may not find the document). */
  private readonly keptRaw = new Map<string, Route>();
  private readonly hasher = new MinHasher();
  private seen = 0;
  /** Documents sent where an earlier near duplicate went (rather than by their own key). */
  colocated = 0;

  /** Documents known (this run's and earlier runs' kept ones). */
  get size(): number {
    return this.index.size;
  }

  /**
   * A kept document of an earlier run (a fw.ingest.signatures record): the same raw record read again, and near
   * duplicates of its text, go to the partition that kept it.
   */
  remember(sig: { content_hash: string; minhash: number[]; first_seen: string; parent_ids: string[] }): void {
    const at = parsePosition(sig.first_seen);
    if (!at) return;
    const route = { partition: at.partition };
    for (const raw of sig.parent_ids) this.keptRaw.set(raw, route);
    if (this.routes.has(sig.content_hash)) return;
    this.routes.set(sig.content_hash, route);
    this.index.add({ id: sig.content_hash, key: sig.content_hash, signature: sig.minhash, firstSeen: sig.first_seen });
  }

  /** Where to send a document whose own record key is `ownKey`. */
  route(doc: { content_type: string; body: string }, ownKey: string): Route {
    const text = routingText(doc);
    const key = contentHash(text);
    let route = this.keptRaw.get(ownKey) ?? this.routes.get(key);
    if (!this.routes.has(key)) {
      const signature = this.hasher.signature(text);
      const firstSeen = `run#${this.seen++}`;
      if (!route) {
        const match = this.index.findDuplicate({ key, signature, firstSeen });
        route = match ? this.routes.get(match.of.key)! : { key: ownKey };
      }
      this.routes.set(key, route);
      // every document, not only the first of a group: a later one may be near this one and not the first
      this.index.add({ id: key, key, signature, firstSeen });
    }
    if (route!.key !== ownKey) this.colocated++;
    return route!;
  }
}
