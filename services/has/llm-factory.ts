import { ConfigError } from '../platform/errors.ts';
import type { LlmClient } from '../platform/llm/types.ts';

/**
 * Opens the shared LLM client (services/platform/llm/client.ts, built in parallel) for HAS_CANDIDATES=llm.
 * Loaded lazily so that the scripted mode never touches it.
 */
export async function openLlmClient(env: NodeJS.ProcessEnv): Promise<LlmClient> {
  const modulePath = '../platform/llm/client.ts';
  let factory: ((env: NodeJS.ProcessEnv) => LlmClient | Promise<LlmClient>) | undefined;
  try {
    const mod = (await import(modulePath)) as Record<string, unknown>;
    factory = (mod.createLlmClient ?? mod.createLlm) as typeof factory;
  } catch (error) {
    throw new ConfigError(`HAS_CANDIDATES=llm needs the LLM client (${modulePath}): ${(error as Error).message}`, { cause: error });
  }
  if (typeof factory !== 'function') throw new ConfigError('HAS_CANDIDATES=llm: the LLM client module exports no createLlmClient(env)');
  return factory(env);
}
