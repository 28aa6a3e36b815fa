import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../platform/paths.ts';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Environment of the rollout service (parsed once at start; a bad value fails naming the variable). */
export const rolloutConfigSchema = z.object({
  /** Rollouts per question (the GRPO group size). */
  ROLLOUT_G: z.coerce.number().int().min(1).max(64).default(4),
  ROLLOUT_MODE: z.enum(['react', 'iterresearch']).default('react'),
  ROLLOUT_POLICY: z.enum(['scripted', 'llm']).default('scripted'),
  /** Policy calls per rollout (the reference's MAX_LLM_CALL_PER_RUN). */
  ROLLOUT_MAX_CALLS: z.coerce.number().int().min(1).max(1000).default(16),
  /** Context budget in tokens; beyond it the policy must answer (forced final answer). */
  ROLLOUT_MAX_CONTEXT_TOKENS: z.coerce.number().int().min(256).default(110 * 1024),
  ROLLOUT_MAX_TOKENS_PER_CALL: z.coerce.number().int().min(16).default(4096),
  ROLLOUT_TIME_LIMIT_MS: z.coerce.number().int().min(100).default(600_000),
  ROLLOUT_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.85),
  ROLLOUT_TOP_P: z.coerce.number().gt(0).max(1).default(0.95),
  ROLLOUT_REPETITION_PENALTY: z.coerce.number().min(0).default(1.1),
  /** Version label of the policy's weights (recorded on trajectories and rounds). */
  ROLLOUT_MODEL_VERSION: z.string().default(''),
  /** Rollouts run at once within one question. */
  ROLLOUT_PARALLEL: z.coerce.number().int().min(1).max(64).default(4),
  /** exact_f1 (default, no model) or llm. */
  ROLLOUT_JUDGE: z.enum(['exact_f1', 'llm']).default('exact_f1'),
  ROLLOUT_JUDGE_F1_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  ROLLOUT_REWARD: z.enum(['binary', 'f1']).default('binary'),
  /** Correct rollouts kept for SFT per question by rejection sampling. */
  ROLLOUT_SFT_PER_QUESTION: z.coerce.number().int().min(0).max(64).default(1),
  /** Label a grounded rollout whose answer and evidence an earlier question already gave `duplicate_sample` (not SFT). */
  ROLLOUT_SFT_DEDUPE: flag.default(true),
  /**
   * Keep groups that every rollout solved in fw.rl.groups. Off by default: their advantages are all zero, and the
   * reference's data curation drops always-solved items (their rollouts still serve SFT).
   */
  ROLLOUT_RL_KEEP_SOLVED: flag.default(false),
  ROLLOUT_SFT_DEDUPE_MAX: z.coerce.number().int().min(1).default(100_000),
  /** Search: the local BM25 corpus, or an external API (SEARCH_API_URL with {query}). */
  SEARCH_BACKEND: z.enum(['local', 'http']).default('local'),
  SEARCH_API_URL: z.string().url().optional(),
  SEARCH_API_KEY: z.string().optional(),
  SEARCH_API_KEY_HEADER: z.string().default('x-api-key'),
  SEARCH_RESULTS: z.coerce.number().int().min(1).max(50).default(10),
  /** Let `visit` fetch public http(s) pages that are not in the corpus. */
  VISIT_LIVE_WEB: flag.default(false),
  /** Summarise visited pages for the goal with the LLM (otherwise extractive). */
  VISIT_LLM_SUMMARY: flag.default(false),
  PYTHON_BIN: z.string().optional(),
  PYTHON_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  PYTHON_MEMORY_MB: z.coerce.number().int().min(32).max(16_384).default(256),
  PYTHON_ISOLATION: z.enum(['auto', 'audit']).default('auto'),
  /** Folder `parse_file` reads attachments from. */
  ROLLOUT_FILES_DIR: z.string().default(path.join(projectRoot, 'data/files')),
  /** Start-up fails when the corpus has not caught up with fw.docs within this many ms. */
  ROLLOUT_CORPUS_WAIT_MS: z.coerce.number().int().min(1).default(120_000),
});

export type RolloutConfig = z.infer<typeof rolloutConfigSchema>;
