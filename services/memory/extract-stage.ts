import { contentId } from '../platform/records.ts';
import { defineStage, type FollowedTopic, type OutputRecord, type StageContext } from '../platform/runtime/stage.ts';
import { memoryConfigSchema, type MemoryConfig } from './config.ts';
import { EntityIds, slug } from './entity-id.ts';
import { LlmExtractor } from './extract/llm.ts';
import { NlpExtractor } from './extract/nlp.ts';
import { sharedExtractorPool } from './extract/pool.ts';
import type { Extraction, FactExtractor } from './extract/types.ts';
import type { Document } from '../platform/generated/records.ts';
import { MentionMerger } from './resolve/stage-state.ts';

interface MemoryState {
  extractor: FactExtractor & { close?(): Promise<void> };
  ids: EntityIds;
  merger?: MentionMerger;
  tail?: FollowedTopic;
  /** Settles when the record before the latest has resolved its mentions (see process). */
  turn: Promise<void>;
}

/**
 * fw.docs → fw.memory.facts: entity-anchored statements, keyed by the normalised entity id so that one
 * partition of the entities stage owns each entity. Stateless, so it scales with its consumer group.
 * MEMORY_EXTRACTOR=llm uses the stage's LLM client (`ctx.llm()`).
 */
export function createMemoryStage() {
  return defineStage<MemoryConfig, MemoryState, 'fw.docs'>({
    name: 'memory',
    version: '1.0.0',
    description: 'Extracts entity-anchored facts from documents (fw.docs → fw.memory.facts).',
    inputs: ['fw.docs'],
    outputs: ['fw.memory.facts'],
    config: memoryConfigSchema,
    async setup(ctx) {
      const ids = new EntityIds(ctx.config.MEMORY_ALIASES);
      // entities already in memory (the compacted fw.memory.entities, tailed) and the names this instance extracted
      const merger = ctx.config.MEMORY_RESOLVE ? new MentionMerger(ctx.config.MEMORY_RESOLVE_MIN_CONFIDENCE, ctx.counter('flywheel_memory_merged_mentions_total', 'Entity mentions merged into an entity already in memory, by how', ['via']), ctx.logger) : undefined;
      const tail = merger ? await ctx.follow('fw.memory.entities', { onValue: (e) => merger.learnEntity(e) }) : undefined;
      const turn = Promise.resolve();
      if (ctx.config.MEMORY_EXTRACTOR === 'llm') {
        return { extractor: new LlmExtractor(await ctx.llm(), undefined, ctx.config.MEMORY_LLM_MAX_FACTS), ids, merger, tail, turn };
      }
      const threads = ctx.config.MEMORY_EXTRACT_THREADS;
      const extractor = threads > 0 ? sharedExtractorPool(threads, { aliases: ctx.config.MEMORY_ALIASES, maxSentences: ctx.config.MEMORY_MAX_SENTENCES }) : new NlpExtractor(ids, ctx.config.MEMORY_MAX_SENTENCES);
      return { extractor, ids, merger, tail, turn };
    },
    async teardown(state) {
      await state?.tail?.close();
      await state?.extractor.close?.();
    },
    async process(record, ctx) {
      const doc = record.value;
      // extractions may finish out of order (threads, a model); mentions are resolved in the order records came in,
      // since what one document names can resolve the next one's mentions
      const extraction = ctx.state.extractor.extract(doc, ctx.signal);
      const previous = ctx.state.turn;
      let done!: () => void;
      ctx.state.turn = new Promise<void>((resolve) => (done = resolve));
      try {
        const result = await extraction;
        await previous;
        return resolveFacts(doc, result, ctx);
      } finally {
        done();
      }
    },
  });
}

/** Facts with entity ids (resolved against memory), drops for what could not be anchored; records what the document named. */
function resolveFacts(doc: Document, { facts, llm, rejected }: Extraction, ctx: StageContext<MemoryConfig, MemoryState>): OutputRecord[] {
  const out: OutputRecord[] = [];
  if (rejected) out.push(ctx.drop('unsupported_statement', doc.id, `${rejected} LLM statement(s) not supported by the document`));
  const seen = new Set<string>();
  const merged: string[] = [];
  const resolved = new Map<string, { id: string; name: string }>();
  const resolve = (name: string, type: string) => {
    const cached = resolved.get(name);
    if (cached) return cached;
    const own = ctx.state.ids.id(name);
    const overridden = own !== slug(name); // MEMORY_ALIASES and the built-in aliases win over resolution
    const r = ctx.state.merger && !overridden ? ctx.state.merger.resolve(name, own, type, doc.id) : undefined;
    if (r?.resolution) merged.push(`${name} → ${r.resolution.name} (${r.resolution.via} ${r.resolution.confidence})`);
    const result = { id: r?.id ?? own, name: r?.resolution?.name ?? name };
    resolved.set(name, result);
    return result;
  };
  for (const fact of facts) {
    const subject = resolve(fact.entityName, fact.entityType);
    const entityId = subject.id;
    if (!entityId) continue;
    const id = contentId('fact', entityId, fact.statement, doc.id);
    if (seen.has(id)) continue;
    seen.add(id);
    const related = fact.related.map((r) => ({ id: resolve(r.name, 'thing').id, relation: r.relation })).filter((r) => r.id && r.id !== entityId);
    out.push({
      topic: 'fw.memory.facts',
      value: {
        ...ctx.meta(id, [doc.id]),
        entity_id: entityId,
        entity_name: subject.name,
        entity_type: fact.entityType,
        entity_aliases: [...new Set([...fact.aliases, fact.entityName])].filter((a) => a !== subject.name),
        statement: fact.statement,
        doc_id: doc.id,
        related_entity_ids: related.map((r) => r.id),
        // one label per related entity, in the same order ('' where the extractor gave none)
        relation: related.some((r) => r.relation) ? related.map((r) => r.relation).join(';') : '',
        extractor: ctx.state.extractor.name,
        // the document's model usage is counted once, on its first fact
        llm: seen.size === 1 ? llm : null,
      },
    });
  }
  if (merged.length) ctx.logger.info({ doc: doc.id, merged: merged.length, mentions: merged.slice(0, 10) }, 'mentions merged into entities already in memory');
  // what this document named becomes known to later documents of this instance
  for (const fact of facts) ctx.state.merger?.resolver.add({ id: resolve(fact.entityName, fact.entityType).id, name: fact.entityName, type: fact.entityType, aliases: fact.aliases });
  if (seen.size === 0) out.push(ctx.drop('no_entities', doc.id, `${doc.source_uri}: no entity-anchored statement found`));
  return out;
}

export const memoryStage = createMemoryStage();
