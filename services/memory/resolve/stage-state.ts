import client from 'prom-client';
import type { Entity } from '../../platform/generated/records.ts';
import type { Logger } from '../../platform/logger.ts';
import { EntityResolver, type Resolution } from './index.ts';

/** The resolver of the memory stage with its counter of merged mentions (flywheel_memory_merged_mentions_total, by `via`). */
export class MentionMerger {
  readonly resolver: EntityResolver;
  private readonly merged: client.Counter<'via'>;

  constructor(registry: client.Registry, minConfidence: number, private readonly logger: Logger) {
    this.resolver = new EntityResolver(minConfidence);
    const name = 'flywheel_memory_merged_mentions_total';
    this.merged = (registry.getSingleMetric(name) as client.Counter<'via'> | undefined) ?? new client.Counter({ name, help: 'Entity mentions merged into an entity already in memory, by how', labelNames: ['via'], registers: [registry] });
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
