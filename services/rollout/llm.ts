import { ConfigError } from '../platform/errors.ts';
import { createLlmClientFromEnv, type LlmClient } from '../platform/llm/index.ts';
import type { Logger } from '../platform/logger.ts';
import type { StageMetrics } from '../platform/runtime/metrics.ts';

/** The shared LLM client from the environment (OPENAI_BASE_URL / FLYWHEEL_LLM, see the LLM client's config). */
export function loadLlmClient(env: NodeJS.ProcessEnv, deps: { logger: Logger; metrics: StageMetrics }): LlmClient {
  const client = createLlmClientFromEnv(env, { logger: deps.logger, registry: deps.metrics.registry });
  if (!client) {
    throw new ConfigError('ROLLOUT_POLICY=llm, ROLLOUT_JUDGE=llm and VISIT_LLM_SUMMARY=true need an LLM: set OPENAI_BASE_URL (and LLM_MODEL) or FLYWHEEL_LLM=local');
  }
  return client;
}
