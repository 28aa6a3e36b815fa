import type { LlmClient, ToolSpec } from '../../platform/llm/types.ts';

export interface ToolContext {
  signal?: AbortSignal;
  /** For tools that can summarise with a model (visit's goal-directed summary). */
  llm?: LlmClient;
}

/** A tool the agent can call: a JSON-schema signature (what the model sees) and a run function. */
export interface Tool {
  spec: ToolSpec;
  /** Returns the observation text; throws ToolInputError for bad arguments, anything else for failures. */
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<string>;
}

/** Arguments the tool cannot work with: reported back to the agent as an observation, never retried. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

/** `value` as a non-empty list of strings (models send a bare string where the schema says array). */
export function stringList(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const strings = list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
  if (strings.length === 0) throw new ToolInputError(`"${field}" must be a non-empty string or array of strings`);
  return strings;
}

/** Several results of one call are joined the way the reference agent joins them. */
export const RESULT_SEPARATOR = '\n=======\n';
