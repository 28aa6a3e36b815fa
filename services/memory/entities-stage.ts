import { contentId } from '../platform/records.ts';
import { defineStage, type FollowedTopic } from '../platform/runtime/stage.ts';
import { entitiesConfigSchema, type EntitiesConfig } from './config.ts';
import { emptyEntity, mergeFact, mergeRecord, toRecordBody, type EntityState } from './merge.ts';

interface EntitiesState {
  entities: Map<string, EntityState>;
  tail?: FollowedTopic;
}

/**
 * fw.memory.facts → fw.memory.entities (compacted, keyed by entity id): merges and densifies each entity's
 * statements and relations and writes the entity's new state. fw.memory.facts is keyed by entity, so one
 * partition — one consumer — owns an entity. The state is the compacted topic itself: read back at start-up
 * and tailed (a partition that moves to this instance finds its entities already loaded). Rebuilding from
 * fw.memory.facts is `flywheel memory rebuild` (a fresh group with MEMORY_ENTITIES_RELOAD=false).
 */
export const entitiesStage = defineStage<EntitiesConfig, EntitiesState, 'fw.memory.facts'>({
  name: 'memory-entities',
  version: '1.0.0',
  description: 'Merges facts into entity state with relations (fw.memory.facts → fw.memory.entities, compacted).',
  inputs: ['fw.memory.facts'],
  outputs: ['fw.memory.entities'],
  config: entitiesConfigSchema,
  concurrency: 1,
  async setup(ctx) {
    const entities = new Map<string, EntityState>();
    const load = (record: Parameters<typeof mergeRecord>[1]) => {
      let state = entities.get(record.entity_id);
      if (!state) entities.set(record.entity_id, (state = emptyEntity(record.entity_id)));
      mergeRecord(state, record);
    };
    const tail = ctx.config.MEMORY_ENTITIES_RELOAD
      ? await ctx.follow('fw.memory.entities', { onValue: load })
      : undefined;
    return { entities, tail };
  },
  async teardown(state) {
    await state?.tail?.close();
  },
  process(record, ctx) {
    const fact = record.value;
    let state = ctx.state.entities.get(fact.entity_id);
    if (!state) ctx.state.entities.set(fact.entity_id, (state = emptyEntity(fact.entity_id)));
    mergeFact(state, fact);
    const body = toRecordBody(state, { statements: ctx.config.MEMORY_MAX_STATEMENTS, relations: ctx.config.MEMORY_MAX_RELATIONS });
    const factIds = body.statements.flatMap((s) => s.fact_ids);
    const id = contentId('entity', body.entity_id, body.version, factIds);
    return [{ topic: 'fw.memory.entities', value: { ...ctx.meta(id, factIds.slice(-200)), ...body } }];
  },
});
