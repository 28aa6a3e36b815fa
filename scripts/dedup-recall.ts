/**
 * What the ingest stage's dedup keeps and drops on the bundled corpora, without Kafka: the design before
 * partition-ordered dedup (one global index, idealised as one consumer reading in file order, i.e. its best
 * recall) against partition-ordered dedup with the producer's near-duplicate routing, and without it (raw
 * records keyed by content only). Partitions are those the default partitioner picks for 4 partitions.
 *
 *   npx tsx scripts/dedup-recall.ts [files or folders…]
 */
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import { cleanDocument } from '../services/ingest/clean.ts';
import { ingestConfigSchema } from '../services/ingest/config.ts';
import { PartitionedDedup } from '../services/ingest/dedup.ts';
import { rawId } from '../services/ingest/ingest-paths.ts';
import { NearDuplicateRouter } from '../services/ingest/routing.ts';
import { MinHasher, NearDuplicateIndex } from '../services/lib/minhash.ts';
import { expandInputs, readerFor, type RawInput } from '../services/lib/readers/index.ts';
import { projectRoot } from '../services/platform/paths.ts';

const PARTITIONS = 4;
const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
const partitionOf = (key: string) => partitioner({ topic: 'raw', partitionMetadata, message: { key, value: null } });

async function readAll(paths: string[]): Promise<RawInput[]> {
  const docs: RawInput[] = [];
  for (const file of expandInputs(paths).files) {
    for await (const item of readerFor(file)!(file, path.relative(projectRoot, file))) if (item.kind === 'doc') docs.push(item.doc);
  }
  return docs;
}

type Verdict = 'kept' | 'duplicate_exact' | 'duplicate_near' | 'filtered';

function measure(docs: RawInput[]) {
  const config = ingestConfigSchema.parse({});
  const hasher = new MinHasher();
  const router = new NearDuplicateRouter();
  const cleaned = docs.map((doc) => {
    const id = rawId(doc);
    const route = router.route(doc, id);
    const c = cleanDocument({ ...doc, id } as Parameters<typeof cleanDocument>[0], config);
    return { id, routed: route.partition ?? partitionOf(route.key ?? id), own: partitionOf(id), c, signature: c.kept ? hasher.signature(c.text) : [] };
  });
  const global = new NearDuplicateIndex(undefined, config.INGEST_NEAR_DUP_THRESHOLD);
  const routed = new PartitionedDedup(config.INGEST_NEAR_DUP_THRESHOLD);
  const unrouted = new PartitionedDedup(config.INGEST_NEAR_DUP_THRESHOLD);
  const verdicts = { global: [] as Verdict[], routed: [] as Verdict[], unrouted: [] as Verdict[] };
  const offsets = { routed: new Array<bigint>(PARTITIONS).fill(0n), unrouted: new Array<bigint>(PARTITIONS).fill(0n) };
  cleaned.forEach(({ c, signature, routed: rp, own }, i) => {
    const positions = { routed: { topic: 'raw', partition: rp, offset: offsets.routed[rp]++ }, unrouted: { topic: 'raw', partition: own, offset: offsets.unrouted[own]++ } };
    for (const [d, at] of [[routed, positions.routed], [unrouted, positions.unrouted]] as const) if (!d.ready(at)) d.load(at, []); // every record, as the stage does
    if (!c.kept) {
      for (const v of Object.values(verdicts)) v.push('filtered');
      return;
    }
    const item = { id: `doc${i}`, key: c.contentHash, signature };
    const g = global.findDuplicate({ ...item, firstSeen: `g${i}` });
    if (!g) global.add({ ...item, firstSeen: `g${i}` });
    verdicts.global.push(g ? `duplicate_${g.kind}` : 'kept');
    const r = routed.decide(positions.routed, item);
    verdicts.routed.push(r ? `duplicate_${r.kind}` : 'kept');
    const u = unrouted.decide(positions.unrouted, item);
    verdicts.unrouted.push(u ? `duplicate_${u.kind}` : 'kept');
  });
  const count = (v: Verdict[], what: Verdict) => v.filter((x) => x === what).length;
  const missed = (v: Verdict[]) => v.filter((x, i) => x === 'kept' && verdicts.global[i].startsWith('duplicate')).length;
  const extra = (v: Verdict[]) => v.filter((x, i) => x.startsWith('duplicate') && verdicts.global[i] === 'kept').length;
  const perPartition = offsets.routed.map(Number);
  return {
    raw: docs.length,
    colocated: router.colocated,
    perPartition: perPartition.join('/'),
    ...Object.fromEntries(
      Object.entries(verdicts).flatMap(([name, v]) => [
        [`${name}.kept`, count(v, 'kept')],
        [`${name}.exact`, count(v, 'duplicate_exact')],
        [`${name}.near`, count(v, 'duplicate_near')],
        ...(name === 'global' ? [] : [[`${name}.missed`, missed(v)], [`${name}.extra`, extra(v)]]),
      ]),
    ),
  };
}

const corpora: Record<string, string[]> = process.argv.length > 2
  ? { given: process.argv.slice(2) }
  : {
      'data/hotpotqa': ['data/hotpotqa/dev_300.jsonl'],
      'data/warc': ['data/warc'],
      'data/wiki (bg+en)': ['data/wiki'],
      'test pages (HTML)': ['test/fixtures/knowledge/pages'],
      'knowledge bench (qa+warc+bgwiki)': ['data/hotpotqa/dev_300.jsonl', 'data/warc', 'data/wiki/bgwiki-latest-pages-articles-shortened.xml.bz2'],
    };
const rows: Array<Record<string, unknown>> = [];
for (const [name, paths] of Object.entries(corpora)) {
  rows.push({ corpus: name, ...measure(await readAll(paths.map((p) => path.resolve(projectRoot, p)))) });
}
console.table(rows);
