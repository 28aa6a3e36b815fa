import { describe, expect, it } from 'vitest';
import { hotpotParagraphs, perturb as near } from '../../test/fixtures/dedup-corpus.ts';
import { MinHasher } from '../lib/minhash.ts';
import { contentHash } from '../lib/text.ts';
import { parsePosition, PartitionedDedup } from './dedup.ts';
import { NearDuplicateRouter, routingText } from './routing.ts';

const hasher = new MinHasher();
const [a, b, c, d] = hotpotParagraphs(4).map((p) => p.text);
const item = (text: string) => ({ id: `doc:${contentHash(text).slice(0, 8)}`, key: contentHash(text), signature: hasher.signature(text) });
const at = (partition: number, offset: number) => ({ topic: 'fw.ingest.raw', partition, offset: BigInt(offset) });

/** Decides `records` (partition, text) in the given order of indexes; returns each record's verdict by index. */
function run(records: Array<[number, string]>, order: number[]): string[] {
  const dedup = new PartitionedDedup();
  const offsets = new Map<number, number>();
  const positions = records.map(([p]) => {
    const o = offsets.get(p) ?? 0;
    offsets.set(p, o + 1);
    return at(p, o);
  });
  const verdicts: string[] = [];
  for (const i of order) {
    if (!dedup.ready(positions[i])) dedup.load(positions[i], []);
    const dup = dedup.decide(positions[i], item(records[i][1]));
    verdicts[i] = dup ? `${dup.kind}:${dup.of.id}` : 'kept';
  }
  return verdicts;
}

describe('partition-ordered dedup', () => {
  // partition order is fixed; how partitions interleave (one consumer) or split (several) is not
  const records: Array<[number, string]> = [[0, a], [1, near(a)], [0, near(a)], [1, b], [1, b], [0, c], [1, near(b)], [0, a.toUpperCase()]];

  it('decides the same whatever the interleaving of partitions', () => {
    const inFileOrder = run(records, records.map((_, i) => i));
    const partition1First = run(records, [1, 3, 4, 6, 0, 2, 5, 7]);
    const alternating = run(records, [0, 1, 3, 2, 4, 5, 6, 7]);
    expect(partition1First).toEqual(inFileOrder);
    expect(alternating).toEqual(inFileOrder);
    expect(inFileOrder).toEqual(['kept', 'kept', `near:${item(a).id}`, 'kept', `exact:${item(b).id}`, 'kept', `near:${item(b).id}`, `exact:${item(a).id}`]);
  });

  it('loads a partition from the state topic: a new owner decides as the previous one would have', () => {
    const previous = new PartitionedDedup();
    previous.load(at(2, 0), []);
    previous.decide(at(2, 0), item(a));
    const next = new PartitionedDedup();
    expect(next.ready(at(2, 1))).toBe(false); // not held: load first
    // as read from the topic: only this partition's documents, and none from at or past the record
    next.load(at(2, 1), [{ ...item(a), firstSeen: 'fw.ingest.raw/2@0' }, { ...item(c), firstSeen: 'fw.ingest.raw/2@7' }]);
    expect(next.decide(at(2, 1), item(near(a)))?.kind).toBe('near');
    expect(next.ready(at(2, 2))).toBe(true);
    expect(next.decide(at(2, 2), item(near(b)))).toBeUndefined();
    expect(next.decide(at(2, 2), item(c))).toBeUndefined(); // kept at 7 by no one yet
    expect(next.ready(at(2, 9))).toBe(false); // records 3–8 were decided elsewhere: load again
    next.retainOnly([0, 1]);
    expect(next.held).toEqual([]);
  });

  it('forgets what an aborted transaction kept before deciding its records again', () => {
    const dedup = new PartitionedDedup();
    const decide = (offset: number, text: string) => {
      if (!dedup.ready(at(0, offset))) dedup.load(at(0, offset), []);
      const dup = dedup.decide(at(0, offset), item(text));
      return dup ? `${dup.kind}:${dup.of.firstSeen}` : 'kept';
    };
    const first = [decide(0, a), decide(1, near(a)), decide(2, d), decide(3, near(d))];
    expect(dedup.size).toBe(2);
    // the transaction of offsets 1–3 aborted: they come again, and d (kept at 2) must not be in the state at 1
    expect(dedup.ready(at(0, 1))).toBe(true);
    expect(dedup.size).toBe(1);
    const again = [decide(1, near(a)), decide(2, d), decide(3, near(d))];
    expect(again).toEqual(first.slice(1));
    expect(first).toEqual(['kept', 'near:fw.ingest.raw/0@0', 'kept', 'near:fw.ingest.raw/0@2']);
  });

  it('parses input positions', () => {
    expect(parsePosition('fw.ingest.raw/3@1234')).toEqual({ topic: 'fw.ingest.raw', partition: 3, offset: 1234n });
    expect(parsePosition('nonsense')).toBeUndefined();
  });
});

describe('producer routing', () => {
  it('sends a near duplicate, a case variant and an HTML copy where the first went; an unrelated text by its own key', () => {
    const router = new NearDuplicateRouter();
    const text = (body: string) => ({ content_type: 'text/plain', body });
    const html = (body: string, site: string) => ({ content_type: 'text/html', body: `<html><body><nav>${site} home about news</nav><script>var x = 1;</script><p>${body}</p><footer>© ${site}</footer></body></html>` });
    expect(router.route(text(a), 'raw_a')).toEqual({ key: 'raw_a' });
    expect(router.route(text(b), 'raw_b')).toEqual({ key: 'raw_b' });
    expect(router.route(text(near(a)), 'raw_a2')).toEqual({ key: 'raw_a' });
    expect(router.route(text(`  ${a.toUpperCase()} `), 'raw_a3')).toEqual({ key: 'raw_a' });
    expect(router.route(html(near(b), 'Mirror Site'), 'raw_b2')).toEqual({ key: 'raw_b' });
    expect(router.route(text(c), 'raw_c')).toEqual({ key: 'raw_c' });
    expect(router.colocated).toBe(3);
    expect(routingText(html('Ada Moreno built the tower in 1874.', 'X'))).toBe('Ada Moreno built the tower in 1874.');
  });

  it('sends a near duplicate of a document an earlier run kept to the partition that kept it', () => {
    const router = new NearDuplicateRouter();
    router.remember({ content_hash: contentHash(a), minhash: hasher.signature(a), first_seen: 'fw.ingest.raw/3@17', parent_ids: ['raw_a'] });
    expect(router.route({ content_type: 'text/plain', body: near(a) }, 'raw_x')).toEqual({ partition: 3 });
    // the same raw record again, whatever its routing text: where it was kept
    expect(router.route({ content_type: 'text/html', body: '<p>Something else entirely, 1874.</p>' }, 'raw_a')).toEqual({ partition: 3 });
    expect(router.route({ content_type: 'text/plain', body: b }, 'raw_b')).toEqual({ key: 'raw_b' });
  });
});
