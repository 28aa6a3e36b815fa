import type { EvalSet } from '../platform/generated/records.ts';
import { MinHasher, NearDuplicateIndex, words } from '../lib/minhash.ts';
import { sha256 } from '../platform/records.ts';

export const CHECKER_VERSION = 'decontam-1';

export interface DecontamRules {
  /** lm-eval-harness Janitor / NeMo Curator: any shared n-gram of this many normalized words is a hit. */
  ngram: number;
  /** An eval item shorter than `ngram` words is one n-gram of its own length, if at least this long (NeMo Curator). */
  minNgram: number;
  /** n-grams found in more eval items than this are ignored: too common to mean contamination. */
  maxItemFrequency: number;
  /** open-instruct: an eval item whose words are covered at least `coverageShare` by shared `coverageNgram`-grams. */
  coverageNgram: number;
  coverageShare: number;
  /** MinHash (word sets) near-duplicate questions at or above this estimated Jaccard: the review tier. */
  minhashThreshold: number;
}

export const defaultRules: DecontamRules = { ngram: 13, minNgram: 8, maxItemFrequency: 10, coverageNgram: 8, coverageShare: 0.5, minhashThreshold: 0.8 };

export type Tier = 'hard' | 'review';
export type Rule = 'ngram13' | 'ngram8_coverage' | 'minhash';

export interface Hit {
  set: string;
  setHash: string;
  tier: Tier;
  rule: Rule;
  field: string;
  itemId: string;
  ngram: string;
  coverage: number;
}

/** A training record's text, one field at a time (a trajectory has several texts per field: one per step). */
export interface FieldText {
  field: string;
  text: string;
}

/**
 * Fields that hold a prompt-sized text. open-instruct's 8-gram rule was made for instruction data; over long
 * documents (CPT text, tool responses) a short eval question is half covered by chance too often, so long texts
 * get the 13-gram rule only (as lm-eval-harness applies it to pre-training documents).
 */
const SHORT_FIELDS = new Set(['question', 'answer', 'tool_arguments']);

// word sets: Jaccard over the question's words, so word order does not matter; 32 bands of 4 rows find pairs
// well below the threshold as candidates, and the estimate then decides
const minhashOptions = { permutations: 128, bands: 32, shingleSize: 1 };
const hasher = new MinHasher(minhashOptions);

function grams(w: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n).join(' '));
  return out;
}

/** The match index of one registered evaluation set. */
export class EvalIndex {
  /** n-gram (or whole short item) → ids of the eval items holding it; too common ones removed. */
  private readonly hardGrams = new Map<string, string[]>();
  private readonly gramSizes = new Set<number>();
  /** coverage n-gram → (item index, start positions). */
  private readonly coverGrams = new Map<string, Array<{ item: number; at: number }>>();
  private readonly itemWords: string[][];
  private readonly near: NearDuplicateIndex;

  constructor(
    readonly set: Pick<EvalSet, 'name' | 'content_hash' | 'items'>,
    readonly rules: DecontamRules = defaultRules,
  ) {
    this.itemWords = set.items.map((item) => words(item.question));
    const itemsPerGram = new Map<string, Set<string>>();
    set.items.forEach((item, index) => {
      const w = this.itemWords[index];
      const n = Math.min(rules.ngram, w.length);
      if (n >= rules.minNgram) {
        this.gramSizes.add(n);
        for (const g of grams(w, n)) itemsPerGram.set(g, (itemsPerGram.get(g) ?? new Set()).add(item.id));
      }
      grams(w, rules.coverageNgram).forEach((g, at) => {
        const list = this.coverGrams.get(g) ?? [];
        list.push({ item: index, at });
        this.coverGrams.set(g, list);
      });
    });
    for (const [g, ids] of itemsPerGram) if (ids.size <= rules.maxItemFrequency) this.hardGrams.set(g, [...ids]);
    for (const [g, list] of this.coverGrams) if (new Set(list.map((l) => l.item)).size > rules.maxItemFrequency) this.coverGrams.delete(g);
    this.near = new NearDuplicateIndex(minhashOptions, rules.minhashThreshold);
    set.items.forEach((item, index) => {
      const normalized = this.itemWords[index].join(' ');
      this.near.add({ id: item.id, key: sha256(normalized), signature: hasher.signature(normalized), firstSeen: `eval:${item.id}` });
    });
  }

  get name(): string {
    return this.set.name;
  }

  /** The strongest hit of this set on the record's fields: hard rules first, then the review tier. */
  check(fields: FieldText[]): Hit | undefined {
    let best: Hit | undefined;
    for (const { field, text } of fields) {
      const w = words(text);
      if (w.length === 0) continue;
      const hit = this.ngramHit(field, w) ?? (SHORT_FIELDS.has(field) ? this.coverageHit(field, w) : undefined) ?? (field === 'question' ? this.nearHit(field, w) : undefined);
      if (hit && (!best || rank(hit) > rank(best))) best = hit;
    }
    return best;
  }

  private hit(tier: Tier, rule: Rule, field: string, itemId: string, ngram: string, coverage: number): Hit {
    return { set: this.set.name, setHash: this.set.content_hash, tier, rule, field, itemId, ngram, coverage };
  }

  private ngramHit(field: string, w: string[]): Hit | undefined {
    for (const n of this.gramSizes) {
      for (const g of grams(w, n)) {
        const ids = this.hardGrams.get(g);
        if (!ids) continue;
        const index = this.set.items.findIndex((i) => i.id === ids[0]);
        return this.hit('hard', 'ngram13', field, ids[0], g, n / Math.max(1, this.itemWords[index]?.length ?? n));
      }
    }
    return undefined;
  }

  private coverageHit(field: string, w: string[]): Hit | undefined {
    const n = this.rules.coverageNgram;
    const covered = new Map<number, { positions: Set<number>; first: string }>();
    for (const g of new Set(grams(w, n))) {
      for (const { item, at } of this.coverGrams.get(g) ?? []) {
        const entry = covered.get(item) ?? { positions: new Set<number>(), first: g };
        for (let k = at; k < at + n; k++) entry.positions.add(k);
        covered.set(item, entry);
      }
    }
    let best: Hit | undefined;
    for (const [item, { positions, first }] of covered) {
      const share = positions.size / this.itemWords[item].length;
      if (share >= this.rules.coverageShare && (!best || share > best.coverage)) best = this.hit('hard', 'ngram8_coverage', field, this.set.items[item].id, first, share);
    }
    return best;
  }

  private nearHit(field: string, w: string[]): Hit | undefined {
    const normalized = w.join(' ');
    const match = this.near.findDuplicate({ key: sha256(normalized), signature: hasher.signature(normalized), firstSeen: 'candidate' });
    if (!match) return undefined;
    const item = this.set.items.find((i) => i.id === match.of.id)!;
    // an identical normalized question is the degenerate n-gram case: hard, whatever its length
    return this.hit(match.kind === 'exact' ? 'hard' : 'review', 'minhash', field, item.id, words(item.question).join(' '), match.similarity);
  }
}

function rank(hit: Hit): number {
  return (hit.tier === 'hard' ? 2 : 1) + hit.coverage / 10;
}
