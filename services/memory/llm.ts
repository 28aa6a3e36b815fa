import type { LlmClient } from '../platform/llm/types.ts';

/**
 * The shared LLM client built from the environment (FLYWHEEL_LLM, OPENAI_BASE_URL, LLM_MODEL, …; see
 * services/platform/llm), imported lazily so that the deterministic strategies never load the model stack.
 * Fails with a ConfigError naming the variable when no model is configured. Used by memory and fas.
 */
export async function loadLlmClient(env: NodeJS.ProcessEnv = process.env): Promise<LlmClient> {
  const { createLlmClient } = await import('../platform/llm/client.ts');
  return createLlmClient(env);
}
