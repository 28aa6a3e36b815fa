import { ConfigError } from '../platform/errors.ts';
import type { LlmClient } from '../platform/llm/types.ts';

/**
 * The shared LLM client for HAS_CANDIDATES=llm, built from the environment (FLYWHEEL_LLM, LLM_* — see
 * services/platform/llm/config.ts). Loaded lazily so that the scripted mode never loads the model stack.
 */
export async function openLlmClient(env: NodeJS.ProcessEnv): Promise<LlmClient> {
  const { createLlmClientFromEnv } = await import('../platform/llm/client.ts');
  const client = createLlmClientFromEnv(env);
  if (!client) throw new ConfigError('HAS_CANDIDATES=llm needs a model: set FLYWHEEL_LLM (and the LLM_* endpoint settings)');
  return client;
}
