import { z } from 'zod';

export const fasConfigSchema = z.object({
  /** template: deterministic question templates; llm: questions written by the shared LLM client (same checks). */
  FAS_STRATEGY: z.enum(['template', 'llm']).default('template'),
  /** Questions the LLM strategy may write per cluster (at most one per style; bounds its reply). */
  FAS_LLM_MAX_QUESTIONS: z.coerce.number().int().min(1).max(4).default(4),
  /** K: planning perspectives per question. */
  FAS_PERSPECTIVES: z.coerce.number().int().min(1).max(7).default(3),
  /** Probability of each applicable obfuscation operation (describe_entity, merge_entities, blur_date, blur_number). */
  FAS_OBFUSCATION: z.coerce.number().min(0).max(1).default(0.6),
  /** Estimated Jaccard similarity of word 3-grams at or above which a question is a near duplicate of an earlier one. */
  FAS_NEAR_DUP_THRESHOLD: z.coerce.number().min(0.1).max(1).default(0.7),
  /** Reload emitted questions from fw.fas.questions at start-up (near-duplicate state). */
  FAS_DEDUP_RELOAD: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});
export type FasConfig = z.infer<typeof fasConfigSchema>;
