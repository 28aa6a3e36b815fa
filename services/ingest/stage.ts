import { contentId } from '../platform/records.ts';
import { defineStage, type FollowedTopic } from '../platform/runtime/stage.ts';
import { cleanDocument } from './clean.ts';
import { ingestConfigSchema, type IngestConfig } from './config.ts';
import { MinHasher, NearDuplicateIndex } from '../lib/minhash.ts';

interface IngestState {
  index: NearDuplicateIndex;
  hasher: MinHasher;
  tail?: FollowedTopic;
}

/** The id of the document with this content: the same text always gets the same id, whatever its source. */
export const documentId = (hash: string) => contentId('doc', hash);

/**
 * fw.ingest.raw → fw.docs. Cleans (Readability for HTML), detects the language, applies quality and fact
 * filters, and removes exact and near duplicates (MinHash/LSH). The dedup state is the compacted topic
 * fw.ingest.signatures, written in the same transaction as the kept document: at start-up the stage reads
 * it back (so a restart or a new consumer remembers every kept document) and keeps tailing it, so instances
 * learn each other's documents. Raw records are keyed by content, so repeats of a document meet on one
 * partition and exact dedup is exact; near duplicates split across partitions are caught once the other
 * instance's commit has reached the tail (a window of one transaction).
 */
export const ingestStage = defineStage<IngestConfig, IngestState, 'fw.ingest.raw'>({
  name: 'ingest',
  version: '1.0.0',
  description: 'Cleans, filters and deduplicates raw documents (fw.ingest.raw → fw.docs, fw.ingest.signatures, fw.drops).',
  inputs: ['fw.ingest.raw'],
  outputs: ['fw.docs', 'fw.ingest.signatures'],
  config: ingestConfigSchema,
  // dedup decisions depend on what came before: keep partition order
  concurrency: 1,
  async setup(ctx) {
    const index = new NearDuplicateIndex(undefined, ctx.config.INGEST_NEAR_DUP_THRESHOLD);
    const tail = ctx.config.INGEST_DEDUP_RELOAD
      ? await ctx.follow('fw.ingest.signatures', {
          onValue: (sig) => index.add({ id: sig.id, key: sig.content_hash, signature: sig.minhash, firstSeen: sig.first_seen }),
        })
      : undefined;
    return { index, hasher: new MinHasher(), tail };
  },
  async teardown(state) {
    await state?.tail?.close();
  },
  process(record, ctx) {
    const raw = record.value;
    const position = `${record.topic}/${record.partition}@${record.offset}`;
    const cleaned = cleanDocument(raw, ctx.config);
    if (!cleaned.kept) return [ctx.drop(cleaned.reason, raw.id, `${raw.source_uri}: ${cleaned.detail}`)];

    const id = documentId(cleaned.contentHash);
    const signature = ctx.state.hasher.signature(cleaned.text);
    const duplicate = ctx.state.index.findDuplicate({ key: cleaned.contentHash, signature, firstSeen: position });
    if (duplicate) {
      const detail = `${raw.source_uri}: ${duplicate.kind} duplicate of ${duplicate.of.id}${duplicate.kind === 'near' ? ` (similarity ${duplicate.similarity.toFixed(2)})` : ''}`;
      return [ctx.drop(`duplicate_${duplicate.kind}`, raw.id, detail)];
    }
    ctx.state.index.add({ id, key: cleaned.contentHash, signature, firstSeen: position });
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
        value: { ...ctx.meta(id, [raw.id]), content_hash: cleaned.contentHash, minhash: signature, first_seen: position },
      },
    ];
  },
});
