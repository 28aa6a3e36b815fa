import { z } from 'zod';
import type { LlmUsage } from '../generated/records.ts';
import { LlmOutputError, LlmTruncatedError } from './errors.ts';
import { maxTokensFor } from './schema-budget.ts';
import { extractJson } from './tool-args.ts';
import { addUsage, type ChatRequest, type ChatResponse, type ResponseFormat } from './types.ts';

/** The JSON schema of a zod schema, without the keys that many servers' grammar compilers reject. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> | undefined {
  try {
    const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    return json;
  } catch {
    return undefined; // e.g. transforms: fall back to json_object + the prompt
  }
}

/**
 * A request that asks for JSON matching `schema`: the schema goes into the system prompt (every server
 * understands that) and into response_format (servers with constrained decoding enforce it).
 */
export function structuredRequest(request: ChatRequest, schema: z.ZodType, schemaName: string, mode: 'json_schema' | 'json_object' | 'prompt'): ChatRequest {
  const json = jsonSchemaOf(schema);
  const instruction = json
    ? `Reply with only a JSON object matching this JSON schema (${schemaName}):\n${JSON.stringify(json)}`
    : `Reply with only a JSON object (${schemaName}).`;
  const [first, ...others] = request.messages;
  const messages =
    first?.role === 'system'
      ? [{ ...first, content: `${first.content}\n\n${instruction}` }, ...others]
      : [{ role: 'system' as const, content: instruction }, ...request.messages];
  let response_format: ResponseFormat | undefined;
  if (mode === 'json_schema' && json) {
    response_format = { type: 'json_schema', json_schema: { name: schemaName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64), schema: json, strict: false } };
  } else if (mode !== 'prompt') {
    response_format = { type: 'json_object' };
  }
  return { ...request, messages, ...(response_format ? { response_format } : {}) };
}

export type StructuredCheck<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parses a reply as JSON (leniently) and validates it; the problem text is what the model is told on retry. */
export function validateStructured<T>(content: string, schema: z.ZodType<T>): StructuredCheck<T> {
  let json: unknown;
  try {
    json = extractJson(content);
  } catch (error) {
    return { ok: false, problem: `the reply is not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return { ok: false, problem: issues.join('; ') };
}

/** Replies to a schema that sets no bounds get this completion budget (the schema tests keep strategies bounded). */
export const UNBOUNDED_MAX_TOKENS = 1024;

export interface StructuredOptions {
  mode: 'json_schema' | 'json_object' | 'prompt';
  /** Corrective retries after a reply that fails the schema. */
  retries: number;
  onRetry(reason: 'invalid_structured_output' | 'truncated', detail: Record<string, unknown>): void;
}

/**
 * Asks until the reply is JSON matching `schema`. max_tokens, unless the caller set it, is sized from the
 * schema's bounds. A reply cut at max_tokens is asked again once with twice the budget, then fails with
 * LLM_OUTPUT_TRUNCATED; a complete reply that fails the schema is corrected up to `retries` times, then fails
 * with LLM_OUTPUT_INVALID. Usage sums every attempt.
 */
export async function askStructured<T>(
  ask: (request: ChatRequest) => Promise<ChatResponse>,
  request: ChatRequest & { schema: z.ZodType<T>; schemaName: string },
  options: StructuredOptions,
): Promise<{ value: T; response: ChatResponse }> {
  const { schema, schemaName, ...rest } = request;
  let chatRequest = structuredRequest(rest, schema, schemaName, options.mode);
  chatRequest.max_tokens ??= maxTokensFor(jsonSchemaOf(schema)) ?? UNBOUNDED_MAX_TOKENS;
  let usage: LlmUsage | null = null;
  let widened = false;
  for (let corrections = 0; ; ) {
    const response = await ask(chatRequest);
    usage = addUsage(usage, response.usage);
    const checked = validateStructured(response.content, schema);
    if (checked.ok) return { value: checked.value, response: { ...response, usage } };
    const budget = chatRequest.max_tokens!;
    if (response.finish_reason === 'length') {
      if (widened) {
        throw new LlmTruncatedError(`${request.purpose}: structured output ${schemaName} was cut at max_tokens=${budget} again after doubling the budget (${checked.problem})`);
      }
      widened = true;
      options.onRetry('truncated', { schemaName, maxTokens: budget });
      chatRequest = { ...chatRequest, max_tokens: budget * 2 };
      continue;
    }
    if (corrections++ >= options.retries) {
      throw new LlmOutputError(`${request.purpose}: structured output ${schemaName} still invalid after ${options.retries + 1} attempts: ${checked.problem}`);
    }
    options.onRetry('invalid_structured_output', { schemaName, attempt: corrections, problem: checked.problem });
    chatRequest = {
      ...chatRequest,
      messages: [
        ...chatRequest.messages,
        { role: 'assistant', content: response.content },
        { role: 'user', content: `That reply does not match the schema ${schemaName}: ${checked.problem}\nReply again with only the corrected JSON object.` },
      ],
    };
  }
}

/**
 * An object with open keys that a grammar can bound: at most `maxKeys` keys (JSON schema maxProperties, which
 * the embedded model's grammar enforces, and checked here), keys and values bounded by their own schemas.
 */
export function boundedRecord<V extends z.ZodType>(key: z.ZodString, value: V, maxKeys: number) {
  return z
    .record(key, value)
    .refine((o) => Object.keys(o).length <= maxKeys, { message: `at most ${maxKeys} keys` })
    .meta({ maxProperties: maxKeys });
}
