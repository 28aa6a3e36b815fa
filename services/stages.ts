import { z } from 'zod';
import type { AnyStage } from './platform/runtime/stage.ts';
import { cptDocsStage } from './cpt-docs/stage.ts';
import { decontamStage } from './decontam/stage.ts';
import { hasStage } from './has/stage.ts';
import { recycleStage } from './recycle/stage.ts';
import { fasStage } from './fas/stage.ts';
import { ingestStage } from './ingest/stage.ts';
import { entitiesStage } from './memory/entities-stage.ts';
import { memoryStage } from './memory/extract-stage.ts';
import { rolloutStage } from './rollout/stage.ts';

/**
 * Every service flywheel can run, in one explicit list (no registration by import side effect).
 * `flywheel run <name>` and the demo look stages up here. The model for a new stage: services/cpt-docs/stage.ts.
 */
export const stages: AnyStage[] = [cptDocsStage, ingestStage, memoryStage, entitiesStage, fasStage, hasStage, recycleStage, rolloutStage, decontamStage];

export function findStage(name: string): AnyStage {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`unknown service "${name}"; known: ${stages.map((s) => s.name).join(', ')}`);
  return stage;
}

/** Every environment variable a stage's config reads (for the round manifest's config hash). */
export function stageConfigVariables(): string[] {
  return [...new Set(stages.flatMap((s) => (s.config instanceof z.ZodObject ? Object.keys(s.config.shape) : [])))].sort();
}
