import { z } from 'zod';
import { extractJson } from './tool-args.ts';
import type { ChatRequest, ResponseFormat } from './types.ts';

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
