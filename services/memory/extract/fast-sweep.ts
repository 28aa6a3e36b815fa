import nlp from 'compromise/two';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Match = { match: string; needs: string[]; wants: string[]; minWant: number; minWords: number; ifNo?: string[]; unTag?: unknown };
type Net = { hooks: Record<string, Match[]>; always: Match[] };

/**
 * compromise's post-tagger sweep (`methods.one.bulkMatch`, compromise 14.x src/1-one/sweep) with its first step
 * made cheap. For every comma-separated chunk of a document, compromise concatenates the match lists of every key
 * of its index the chunk has (a word or a tag: '#Noun' alone lists 83 matches), removes repeats, then keeps the
 * matches whose needs are all in the chunk. Here each match is listed under one of its needs only (the key with
 * the shortest list), so a chunk looks at few matches; the survivors are put back in the order compromise's
 * concatenation gives them (the first of their keys in the index's key order, then their place in that key's
 * list), so the matches tried, their order and thus every tag come out exactly as compromise's own sweep gives.
 */
function bulkMatch(document: any[][], net: Net, methods: any, opts: { matchOne?: boolean } = {}) {
  const docCache: Array<Set<string>> = methods.one.cacheDoc(document);
  const index = indexOf(net);
  const results: any[] = [];
  for (let n = 0; n < document.length; n++) {
    const haves = docCache[n];
    const chunk = ++index.chunk;
    const found: Trigger[] = [];
    for (const item of haves) {
      const triggered = index.triggers.get(item);
      if (!triggered) continue;
      for (const t of triggered) {
        if (t.seen === chunk) continue;
        t.seen = chunk;
        if (candidate(t, haves)) found.push(t);
      }
    }
    if (found.length > 1) found.sort((a, b) => a.order - b.order);
    let maybe = found.map((t) => t.m);
    if (net.always.length > 0) maybe = maybe.concat(net.always);
    const terms = document[n].length;
    for (const m of maybe) {
      if (terms < m.minWords) continue;
      const res = methods.one.match([document[n]], m);
      for (const ptr of res.ptrs) {
        ptr[0] = n;
        const todo = Object.assign({}, m, { pointer: ptr });
        if (m.unTag !== undefined) todo.unTag = m.unTag;
        results.push(todo);
      }
      if (res.ptrs.length > 0 && opts.matchOne === true) return [results[0]];
    }
  }
  return results;
}

interface Trigger {
  m: Match;
  /** The hook keys listing the match, in the index's key order, with its place in the concatenation. */
  keys: Array<{ key: string; order: number }>;
  /** Last chunk that looked at the match, and the match's place in that chunk's concatenation. */
  seen: number;
  order: number;
}

/** compromise's trimDown for one match (all needs, none of ifNo, minWant of wants); sets its place in the chunk's order. */
function candidate(t: Trigger, haves: Set<string>): boolean {
  const m = t.m;
  for (let i = 0; i < m.needs.length; i++) if (!haves.has(m.needs[i])) return false;
  if (m.ifNo !== undefined) for (let i = 0; i < m.ifNo.length; i++) if (haves.has(m.ifNo[i])) return false;
  if (m.wants.length > 0) {
    let found = 0;
    for (let i = 0; i < m.wants.length; i++) if (haves.has(m.wants[i])) found++;
    if (found < m.minWant) return false;
  }
  for (const k of t.keys) {
    if (haves.has(k.key)) {
      t.order = k.order;
      return true;
    }
  }
  return false;
}
interface SweepIndex {
  triggers: Map<string, Trigger[]>;
  chunk: number;
}

const indexes = new WeakMap<object, SweepIndex>();
function indexOf(net: Net): SweepIndex {
  let index = indexes.get(net.hooks);
  if (index) return index;
  const byMatch = new Map<Match, Trigger>();
  Object.keys(net.hooks).forEach((key, k) => {
    net.hooks[key].forEach((m, position) => {
      let t = byMatch.get(m);
      if (!t) byMatch.set(m, (t = { m, keys: [], seen: 0, order: 0 }));
      t.keys.push({ key, order: k * 100_000 + position });
    });
  });
  const triggers = new Map<string, Trigger[]>();
  const add = (key: string, t: Trigger) => (triggers.get(key) ?? triggers.set(key, []).get(key)!).push(t);
  for (const t of byMatch.values()) {
    // a match with needs is a candidate only when all are present: one of them (the rarest key) is enough to look it up by
    if (t.m.needs.length > 0) add([...t.m.needs].sort((a, b) => (net.hooks[a]?.length ?? 0) - (net.hooks[b]?.length ?? 0))[0], t);
    else for (const want of t.m.wants) add(want, t);
  }
  index = { triggers, chunk: 0 };
  indexes.set(net.hooks, index);
  return index;
}

const methods = (nlp as any).world().methods.one;
/** compromise's own sweep, and this one. */
export const sweeps = { compromise: methods.bulkMatch as typeof bulkMatch, fast: bulkMatch };

/** Which sweep compromise uses (the fast one once mentions.ts is loaded; the other for comparisons). */
export function useSweep(which: keyof typeof sweeps): void {
  methods.bulkMatch = sweeps[which];
}
