import { contentId } from '../platform/records.ts';
import { defineStage, type InputRecord, type OutputRecord, type StageContext, type StageCounter } from '../platform/runtime/stage.ts';
import { cleanDocument } from './clean.ts';
import { ingestConfigSchema, type IngestConfig } from './config.ts';
import { formatPosition, parsePosition, PartitionedDedup, type InputPosition } from './dedup.ts';
import { MinHasher, type IndexedItem } from '../lib/minhash.ts';

interface IngestState {
  dedup: PartitionedDedup;
  hasher: MinHasher;
  /** The kept documents of `partition` from fw.ingest.signatures (none when INGEST_DEDUP_RELOAD is off). */
  readKept(partition: number): Promise<IndexedItem[]>;
  loads: StageCounter;
}

type Ctx = StageContext<IngestConfig, IngestState>;

/** The id of the document with this content: the same text always gets the same id, whatever its source. */
export const documentId = (hash: string) => contentId('doc', hash);

/**
 * fw.ingest.raw → fw.docs. Cleans (Readability for HTML), detects the language, applies quality and fact
 * filters, and removes exact and near duplicates (MinHash/LSH). Dedup compares a record with the documents kept
 * before it on its own input partition (the producer puts the near duplicates it sees on one partition), so the
 * kept set depends on the topic's content only, not on timing or the number of consumers. The state is the
 * compacted topic fw.ingest.signatures, written in the same transaction as the kept document; an instance loads a
 * partition's share of it when it starts on the partition (after the runtime has fenced the previous owner, so
 * its last transaction is in), and lets go of it when the partition is assigned elsewhere.
 */
export const ingestStage = defineStage<IngestConfig, IngestState, 'fw.ingest.raw'>({
  name: 'ingest',
  version: '2.0.0',
  description: 'Cleans, filters and deduplicates raw documents (fw.ingest.raw → fw.docs, fw.ingest.signatures, fw.drops).',
  inputs: ['fw.ingest.raw'],
  outputs: ['fw.docs', 'fw.ingest.signatures'],
  config: ingestConfigSchema,
  // dedup decisions depend on what came before: keep partition order
  concurrency: 1,
  setup(ctx) {
    const readKept = ctx.config.INGEST_DEDUP_RELOAD ? keptReader(ctx) : async () => [];
    const loads = ctx.counter('flywheel_ingest_dedup_loads_total', 'Partition dedup states loaded from fw.ingest.signatures (first record after acquiring a partition, or after another instance worked on it)');
    return { dedup: new PartitionedDedup(ctx.config.INGEST_NEAR_DUP_THRESHOLD), hasher: new MinHasher(), readKept, loads };
  },
  onAssignment(partitions, state) {
    state.dedup.retainOnly(partitions['fw.ingest.raw'] ?? []);
  },
  process(record, ctx) {
    const at = { topic: record.topic, partition: record.partition, offset: BigInt(record.offset) };
    const { dedup, readKept, loads } = ctx.state;
    if (dedup.ready(at)) return ingest(record, at, ctx);
    return readKept(at.partition).then((kept) => {
      dedup.load(at, kept);
      loads.inc();
      return ingest(record, at, ctx);
    });
  },
});

/**
 * Reads the kept documents of a partition from fw.ingest.signatures. Partitions asked for in the same turn of the
 * event loop (those an instance starts on together) share one read; a later request gets a read of its own,
 * opened after it, so that it sees everything committed before it was made.
 */
function keptReader(ctx: Pick<Ctx, 'follow'>): (partition: number) => Promise<IndexedItem[]> {
  let next: { wanted: Map<number, IndexedItem[]>; read: Promise<void> } | undefined;
  return (partition) => {
    if (!next) {
      const wanted = new Map<number, IndexedItem[]>();
      const read = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        next = undefined;
        const reader = await ctx.follow('fw.ingest.signatures', {
          once: true,
          groupLabel: 'fw-ingest-state',
          onValue: (sig) => wanted.get(parsePosition(sig.first_seen)?.partition ?? -1)?.push({ id: sig.id, key: sig.content_hash, signature: sig.minhash, firstSeen: sig.first_seen }),
        });
        await reader.close();
      });
      next = { wanted, read };
    }
    const { wanted, read } = next;
    if (!wanted.has(partition)) wanted.set(partition, []);
    return read.then(() => wanted.get(partition)!);
  };
}

function ingest(record: InputRecord<'fw.ingest.raw'>, at: InputPosition, ctx: Ctx): OutputRecord[] {
  const raw = record.value;
  const cleaned = cleanDocument(raw, ctx.config);
  if (!cleaned.kept) return [ctx.drop(cleaned.reason, raw.id, `${raw.source_uri}: ${cleaned.detail}`)];

  const id = documentId(cleaned.contentHash);
  const signature = ctx.state.hasher.signature(cleaned.text);
  const duplicate = ctx.state.dedup.decide(at, { id, key: cleaned.contentHash, signature });
  if (duplicate) {
    const detail = `${raw.source_uri}: ${duplicate.kind} duplicate of ${duplicate.of.id}${duplicate.kind === 'near' ? ` (similarity ${duplicate.similarity.toFixed(2)})` : ''}`;
    return [ctx.drop(`duplicate_${duplicate.kind}`, raw.id, detail)];
  }
  return [
    {
      topic: 'fw.docs',
      value: {
        ...ctx.meta(id, [raw.id]),
        source_kind: raw.source_kind,
        source_uri: raw.source_uri,
        url: raw.url,
        title: cleaned.title,
        text: cleaned.text,
        lang: cleaned.lang,
        content_hash: cleaned.contentHash,
        quality: cleaned.quality,
      },
    },
    {
      topic: 'fw.ingest.signatures',
      // compacted per partition and content: a text kept on two partitions (not co-located) stays in both states
      key: `${record.partition}:${cleaned.contentHash}`,
      value: { ...ctx.meta(id, [raw.id]), content_hash: cleaned.contentHash, minhash: signature, first_seen: formatPosition(at) },
    },
  ];
}
