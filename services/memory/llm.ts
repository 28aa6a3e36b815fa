import { ConfigError } from '../platform/errors.ts';
import type { LlmClient } from '../platform/llm/types.ts';

/**
 * The shared LLM client (services/platform/llm/client.ts) built from the environment, imported lazily so
 * that the deterministic strategies never load the model stack. Used by memory and fas.
 */
export async function loadLlmClient(env: NodeJS.ProcessEnv = process.env): Promise<LlmClient> {
  const modulePath = '../platform/llm/client.ts';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modulePath)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`an LLM strategy is configured but the LLM client cannot be loaded: ${(error as Error).message}`, { cause: error });
  }
  const factory = (mod.createLlmClient ?? mod.llmClientFromEnv) as ((env: NodeJS.ProcessEnv) => LlmClient | Promise<LlmClient>) | undefined;
  if (typeof factory !== 'function') throw new ConfigError('the LLM client module does not export createLlmClient(env)');
  return factory(env);
}
