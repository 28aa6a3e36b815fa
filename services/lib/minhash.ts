import { seededRandom } from '../platform/runtime/random.ts';

export interface MinHashOptions {
  /** Number of hash functions (signature length); must be bands × rows. */
  permutations: number;
  bands: number;
  /** Words per shingle. */
  shingleSize: number;
}

export const defaultMinHash: MinHashOptions = { permutations: 128, bands: 16, shingleSize: 5 };

/** FNV-1a over UTF-16 code units: a fast 32-bit hash of one shingle. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Distinct hashed word n-grams (the whole text as one shingle when it is shorter than n). */
export function shingles(text: string, size: number): Uint32Array {
  const w = words(text);
  const out = new Set<number>();
  if (w.length < size) out.add(fnv1a(w.join(' ')));
  for (let i = 0; i + size <= w.length; i++) out.add(fnv1a(w.slice(i, i + size).join(' ')));
  return Uint32Array.from(out);
}

/**
 * MinHash with multiply–xorshift hash functions seeded deterministically, so signatures computed by any
 * instance, before or after a restart, are comparable.
 */
export class MinHasher {
  private readonly a: Uint32Array;
  private readonly b: Uint32Array;

  constructor(readonly options: MinHashOptions = defaultMinHash) {
    if (options.permutations % options.bands !== 0) throw new Error('MinHash permutations must be a multiple of bands');
    const random = seededRandom('flywheel-minhash-v1');
    this.a = Uint32Array.from({ length: options.permutations }, () => ((random() * 0xffffffff) | 1) >>> 0);
    this.b = Uint32Array.from({ length: options.permutations }, () => (random() * 0xffffffff) >>> 0);
  }

  signature(text: string): number[] {
    const sh = shingles(text, this.options.shingleSize);
    const sig: number[] = new Array(this.options.permutations);
    for (let i = 0; i < this.options.permutations; i++) {
      let min = 0xffffffff;
      const a = this.a[i];
      const b = this.b[i];
      for (let j = 0; j < sh.length; j++) {
        let h = (Math.imul(sh[j], a) + b) >>> 0;
        h ^= h >>> 15;
        h = Math.imul(h, 0x2c1b3c6d) >>> 0;
        if (h < min) min = h;
      }
      sig[i] = min | 0; // signed: Avro int
    }
    return sig;
  }
}

export function estimatedJaccard(x: readonly number[], y: readonly number[]): number {
  let same = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) same++;
  return same / x.length;
}

export interface IndexedItem {
  id: string;
  /** Exact-duplicate key (content hash). */
  key: string;
  signature: number[];
  /** Input position that first kept the item: seeing it again at the same position is a replay, not a duplicate. */
  firstSeen: string;
}

export type DuplicateMatch = { kind: 'exact' | 'near'; of: IndexedItem; similarity: number };

/** Exact + near-duplicate index: a map by key plus locality-sensitive hashing over MinHash bands. */
export class NearDuplicateIndex {
  private readonly byKey = new Map<string, IndexedItem>();
  private readonly buckets = new Map<string, string[]>();
  private readonly rows: number;

  constructor(
    readonly options: MinHashOptions = defaultMinHash,
    readonly threshold = 0.8,
  ) {
    this.rows = options.permutations / options.bands;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The earlier item `candidate` duplicates, if any (a replay of the item's own first position is not one). */
  findDuplicate(candidate: Omit<IndexedItem, 'id'> & { id?: string }): DuplicateMatch | undefined {
    const exact = this.byKey.get(candidate.key);
    if (exact) return exact.firstSeen === candidate.firstSeen ? undefined : { kind: 'exact', of: exact, similarity: 1 };
    let best: DuplicateMatch | undefined;
    for (const bucket of this.bandKeys(candidate.signature)) {
      for (const key of this.buckets.get(bucket) ?? []) {
        const other = this.byKey.get(key)!;
        if (other.firstSeen === candidate.firstSeen) continue;
        const similarity = estimatedJaccard(candidate.signature, other.signature);
        if (similarity >= this.threshold && (!best || similarity > best.similarity)) best = { kind: 'near', of: other, similarity };
      }
    }
    return best;
  }

  add(item: IndexedItem): void {
    if (this.byKey.has(item.key)) return;
    this.byKey.set(item.key, item);
    for (const bucket of this.bandKeys(item.signature)) {
      const list = this.buckets.get(bucket);
      if (list) list.push(item.key);
      else this.buckets.set(bucket, [item.key]);
    }
  }

  private bandKeys(signature: readonly number[]): string[] {
    const keys: string[] = [];
    for (let band = 0; band < this.options.bands; band++) {
      keys.push(`${band}:${signature.slice(band * this.rows, (band + 1) * this.rows).join(',')}`);
    }
    return keys;
  }
}
