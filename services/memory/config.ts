import os from 'node:os';
import { z } from 'zod';

export const memoryConfigSchema = z.object({
  /** nlp: deterministic (sentences, compromise entities, sentence subjects); llm: structured output from the shared LLM client. */
  MEMORY_EXTRACTOR: z.enum(['nlp', 'llm']).default('nlp'),
  /** Sentences of a document the NLP strategy reads (the lead of a long article carries most of its facts). */
  MEMORY_MAX_SENTENCES: z.coerce.number().int().min(1).default(40),
  /**
   * Worker threads running the NLP strategy beside the stage's event loop (0: on it). Same facts either way: see
   * extract/pool.ts. `auto`: one per core this process may run on, at most 4 (under a container CPU limit below the
   * node's cores, set the limit here).
   */
  MEMORY_EXTRACT_THREADS: z
    .union([z.literal('auto'), z.coerce.number().int().min(0).max(64)])
    .default('auto')
    .transform((v) => (v === 'auto' ? Math.min(4, os.availableParallelism()) : v)),
  /** Facts the LLM strategy may return per document (bounds its reply and so its completion budget). */
  MEMORY_LLM_MAX_FACTS: z.coerce.number().int().min(1).max(40).default(4),
  /** Extra entity aliases, `alias=canonical` pairs separated by commas (e.g. `Ed Wood=Edward D. Wood Jr.`). */
  MEMORY_ALIASES: z.string().default(''),
  /** Resolve mentions against entities already in memory (surname, alias, title variants); MEMORY_ALIASES still wins. */
  MEMORY_RESOLVE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Lowest confidence at which a mention merges into a known entity (alias 0.95, variant 0.9, subset 0.85, surname 0.8). */
  MEMORY_RESOLVE_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.75),
});
export type MemoryConfig = z.infer<typeof memoryConfigSchema>;

export const entitiesConfigSchema = z.object({
  /** Statements kept per entity (most supported first) and relations kept per entity (heaviest first). */
  MEMORY_MAX_STATEMENTS: z.coerce.number().int().min(1).default(64),
  MEMORY_MAX_RELATIONS: z.coerce.number().int().min(1).default(64),
  /** Reload entity state from fw.memory.entities at start-up; false rebuilds it from fw.memory.facts (with a fresh group). */
  MEMORY_ENTITIES_RELOAD: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});
export type EntitiesConfig = z.infer<typeof entitiesConfigSchema>;
