import type { LlmClient } from '../platform/llm/types.ts';
import { ConfigError } from '../platform/errors.ts';

/**
 * The shared LLM client, built from the environment. Imported lazily so the scripted flywheel never loads
 * the model stack.
 */
export async function loadLlmClient(env: NodeJS.ProcessEnv): Promise<LlmClient> {
  const modulePath = '../platform/llm/client.ts';
  const mod = (await import(modulePath)) as Record<string, unknown>;
  const factory = (mod.createLlmClient ?? mod.llmClientFromEnv) as ((env: NodeJS.ProcessEnv) => LlmClient | Promise<LlmClient>) | undefined;
  if (typeof factory !== 'function') throw new ConfigError('the LLM client module does not export createLlmClient(env)');
  return factory(env);
}
