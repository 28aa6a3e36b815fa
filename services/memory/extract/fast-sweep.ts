import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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
      const res = matchChunk(document[n], m);
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

/*
 * compromise's match of one pattern on one chunk (`methods.one.match`, src/1-one/match/methods/match/index.js),
 * except that a start position whose term fails the pattern's first term is not tried: compromise copies the rest of
 * the chunk and walks its match machine from every position, though a required plain first term decides most of them
 * alone. The same tryHere, term test, group and notIf code of compromise run on the positions left, so the results
 * are the same. Its modules are not among the package's exports: they are loaded by file from beside compromise/two.
 */
// the package root from the one file its exports let require resolve (builds/two/compromise-two.cjs)
const compromiseRoot = path.resolve(path.dirname(createRequire(import.meta.url).resolve('compromise/two')), '../..');
const matchDir = pathToFileURL(path.join(compromiseRoot, 'src/1-one/match/methods/match/'));
const [{ default: fromHere }, { default: termMatches }, { default: getGroup }, { default: notIf }] = (await Promise.all(
  ['02-from-here.js', 'term/doesMatch.js', '03-getGroup.js', '03-notIf.js'].map((file) => import(new URL(file, matchDir).href)),
)) as Array<{ default: (...args: any[]) => any }>;

interface Plan {
  minLength: number;
  /** The first reg when every match must start on a term it accepts by itself (not optional, negative, '.', a block or an anchor). */
  first?: any;
}
const plans = new WeakMap<object, Plan>();
function planOf(regs: any[]): Plan {
  let plan = plans.get(regs);
  if (!plan) {
    const r = regs[0];
    const plain = !r.optional && !r.negative && !r.anything && r.choices === undefined && !r.start && !r.end && r.min !== 0;
    plan = { minLength: regs.filter((reg) => reg.optional !== true && reg.negative !== true).length, first: plain ? r : undefined };
    plans.set(regs, plan);
  }
  return plan;
}

function matchChunk(terms: any[], todo: any): { ptrs: any[]; byGroup: Record<string, any[]> } {
  const { regs, group, justOne } = todo;
  if (!regs || regs.length === 0) return { ptrs: [], byGroup: {} };
  const { minLength, first } = planOf(regs);
  let results: any[] = [];
  if (regs[0].start === true) {
    const res = fromHere(terms, regs, 0, terms.length);
    if (res) results.push(atChunk(res));
  } else {
    for (let i = 0; i < terms.length; i += 1) {
      if (terms.length - i < minLength) break;
      if (first !== undefined && termMatches(terms[i], first, i, terms.length) !== true) continue;
      const res = fromHere(terms.slice(i), regs, i, terms.length);
      if (res) {
        results.push(atChunk(res));
        if (justOne === true) break;
        const end = res.pointer[2];
        if (Math.abs(end - 1) > i) i = Math.abs(end - 1);
      }
    }
  }
  if (regs[regs.length - 1].end === true) results = results.filter((res) => terms.length === res.pointer[2]);
  if (todo.notIf) results = notIf(results, todo.notIf, [terms]);
  const found = getGroup(results, group);
  for (const ptr of found.ptrs) {
    ptr[3] = terms[ptr[1]].id;
    ptr[4] = terms[ptr[2] - 1].id;
  }
  return found;
}

/** The chunk is document 0 of the match (bulkMatch puts its own index in afterwards), as compromise's addSentence. */
function atChunk(res: any): any {
  res.pointer[0] = 0;
  for (const k of Object.keys(res.groups)) res.groups[k][0] = 0;
  return res;
}

const world = (nlp as any).world();
const methods = world.methods.one;

// buildNet parses its matches in place, and compromise builds its own net from the same list on its first tagging:
// this net is built from copies taken before either did (else compromise's own post-tagger is kept)
const unparsedMatches: any[] | undefined = world.model.two.matches.every((m: any) => m.regs === undefined) ? world.model.two.matches.map((m: any) => ({ ...m })) : undefined;
let postNet: unknown;
/**
 * compromise's postTagger compute (src/2-two/postTagger/compute) without what it throws away: its sweep also makes
 * a View of every match found (thousands per text) as the sweep's return value, which the post-tagger ignores. The
 * same net, chunks, matches and tagger run.
 */
function postTagger(view: any): any {
  const all = view.world.methods;
  postNet ??= all.one.buildNet(unparsedMatches, view.world);
  const ptrs = all.two.quickSplit(view.docs).map((terms: any[]) => [terms[0].index[0], terms[0].index[1], terms[0].index[1] + terms.length]);
  const docs = view.update(ptrs).docs;
  all.one.bulkTagger(all.one.bulkMatch(docs, postNet, view.methods, {}), docs, view.world);
  view.uncache();
  view.unfreeze();
  return view;
}

/** compromise's own sweep, and this one. */
export const sweeps = {
  compromise: { bulkMatch: methods.bulkMatch as typeof bulkMatch, postTagger: world.compute.postTagger as typeof postTagger },
  fast: { bulkMatch, postTagger: unparsedMatches ? postTagger : (world.compute.postTagger as typeof postTagger) },
};

/** Which sweep compromise uses (the fast one once mentions.ts is loaded; the other for comparisons). */
export function useSweep(which: keyof typeof sweeps): void {
  methods.bulkMatch = sweeps[which].bulkMatch;
  world.compute.postTagger = sweeps[which].postTagger;
}
