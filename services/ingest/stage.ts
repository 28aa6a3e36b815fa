import { contentId } from '../platform/records.ts';
import { defineStage, type FollowedTopic, type InputRecord, type OutputRecord, type StageContext, type StageCounter } from '../platform/runtime/stage.ts';
import { cleanDocument } from './clean.ts';
import { ingestConfigSchema, type IngestConfig } from './config.ts';
import { formatPosition, PartitionedDedup, type InputPosition } from './dedup.ts';
import { MinHasher } from '../lib/minhash.ts';

interface IngestState {
  dedup: PartitionedDedup;
  hasher: MinHasher;
  tail?: FollowedTopic;
  syncs: StageCounter;
}

type Ctx = StageContext<IngestConfig, IngestState>;

/** The id of the document with this content: the same text always gets the same id, whatever its source. */
export const documentId = (hash: string) => contentId('doc', hash);

/**
 * fw.ingest.raw → fw.docs. Cleans (Readability for HTML), detects the language, applies quality and fact
 * filters, and removes exact and near duplicates (MinHash/LSH). Dedup compares a record with the documents kept
 * before it on its own input partition (the producer puts the near duplicates it sees on one partition), so the
 * kept set depends on the topic's content only, not on timing or the number of consumers. The state is the
 * compacted topic fw.ingest.signatures, written in the same transaction as the kept document, read back at
 * start-up and tailed; before the first record of a partition it (re)acquires, an instance waits until the tail
 * has every signature committed so far (the previous owner's last transaction).
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
  async setup(ctx) {
    const dedup = new PartitionedDedup(ctx.config.INGEST_NEAR_DUP_THRESHOLD);
    const tail = ctx.config.INGEST_DEDUP_RELOAD
      ? await ctx.follow('fw.ingest.signatures', {
          onValue: (sig) => dedup.add({ id: sig.id, key: sig.content_hash, signature: sig.minhash, firstSeen: sig.first_seen }),
        })
      : undefined;
    const syncs = ctx.counter('flywheel_ingest_dedup_syncs_total', 'Times a partition\'s dedup state was brought up to date before deciding (first record after acquiring it, a rebalance or an aborted transaction)');
    return { dedup, hasher: new MinHasher(), tail, syncs };
  },
  async teardown(state) {
    await state?.tail?.close();
  },
  process(record, ctx) {
    const at = { topic: record.topic, partition: record.partition, offset: BigInt(record.offset) };
    const { dedup, tail, syncs } = ctx.state;
    if (dedup.advance(at) && tail) {
      syncs.inc();
      return tail.sync().then(() => ingest(record, at, ctx));
    }
    return ingest(record, at, ctx);
  },
});

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
