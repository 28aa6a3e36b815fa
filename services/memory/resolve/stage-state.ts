import type { Entity } from '../../platform/generated/records.ts';
import type { Logger } from '../../platform/logger.ts';
import type { StageCounter } from '../../platform/runtime/stage.ts';
import { EntityResolver, type Resolution } from './index.ts';

/** The resolver of the memory stage with its counter of merged mentions (flywheel_memory_merged_mentions_total, by `via`). */
export class MentionMerger {
  readonly resolver: EntityResolver;

  constructor(
    minConfidence: number,
    private readonly merged: StageCounter,
    private readonly logger: Logger,
  ) {
    this.resolver = new EntityResolver(minConfidence);
  }

  /** Folds an entity record of fw.memory.entities into what the resolver knows. */
  learnEntity(e: Entity): void {
    this.resolver.add({ id: e.entity_id, name: e.name, type: e.entity_type, aliases: e.aliases });
  }

  /** The id a mention goes under: a known entity's when it resolves to one (counted and logged), else its own. */
  resolve(name: string, ownId: string, type: string, docId: string): { id: string; resolution?: Resolution } {
    const resolution = this.resolver.resolve(name, ownId, type);
    if (!resolution) return { id: ownId };
    this.merged.inc({ via: resolution.via });
    this.logger.debug({ doc: docId, mention: name, entity: resolution.id, via: resolution.via, confidence: resolution.confidence }, 'mention merged into a known entity');
    return { id: resolution.id, resolution };
  }
}
