import { contentId } from '../platform/records.ts';
import { defineStage, type OutputRecord } from '../platform/runtime/stage.ts';
import { memoryConfigSchema, type MemoryConfig } from './config.ts';
import { EntityIds } from './entity-id.ts';
import { LlmExtractor } from './extract/llm.ts';
import { NlpExtractor } from './extract/nlp.ts';
import type { FactExtractor } from './extract/types.ts';

interface MemoryState {
  extractor: FactExtractor;
  ids: EntityIds;
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
      if (ctx.config.MEMORY_EXTRACTOR === 'llm') {
        return { extractor: new LlmExtractor(await ctx.llm()), ids };
      }
      return { extractor: new NlpExtractor(ids, ctx.config.MEMORY_MAX_SENTENCES), ids };
    },
    async process(record, ctx) {
      const doc = record.value;
      const { facts, llm, rejected } = await ctx.state.extractor.extract(doc, ctx.signal);
      const out: OutputRecord[] = [];
      if (rejected) out.push(ctx.drop('unsupported_statement', doc.id, `${rejected} LLM statement(s) not supported by the document`));
      const seen = new Set<string>();
      for (const fact of facts) {
        const entityId = ctx.state.ids.id(fact.entityName);
        if (!entityId) continue;
        const id = contentId('fact', entityId, fact.statement, doc.id);
        if (seen.has(id)) continue;
        seen.add(id);
        const related = fact.related.map((r) => ({ id: ctx.state.ids.id(r.name), relation: r.relation })).filter((r) => r.id && r.id !== entityId);
        out.push({
          topic: 'fw.memory.facts',
          value: {
            ...ctx.meta(id, [doc.id]),
            entity_id: entityId,
            entity_name: fact.entityName,
            entity_type: fact.entityType,
            entity_aliases: fact.aliases.filter((a) => a !== fact.entityName),
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
      if (seen.size === 0) out.push(ctx.drop('no_entities', doc.id, `${doc.source_uri}: no entity-anchored statement found`));
      return out;
    },
  });
}

export const memoryStage = createMemoryStage();
