/**
 * The contract every stage codes against for model calls (memory extraction, FAS synthesis, rollout policy,
 * judge, HAS). The implementation (services/platform/llm/client.ts) speaks the OpenAI protocol to any
 * compatible endpoint, the embedded local model included, and owns retries, the rate/token governor, the
 * response cache and cost accounting, so stages never do.
 */
import type { z } from 'zod';
import type { LlmUsage } from '../generated/records.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** assistant turns that called tools */
  tool_calls?: ToolCall[];
  /** tool turns: the call they answer */
  tool_call_id?: string;
  name?: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments object */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Always an object here, whether the server sent a JSON string or an object. */
  arguments: Record<string, unknown>;
}

export interface SamplingParams {
  temperature?: number;
  top_p?: number;
  /** Passed through as `repetition_penalty` for servers that accept it (vLLM, SGLang, llama.cpp). */
  repetition_penalty?: number;
  presence_penalty?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
  /** Passed through for servers that accept them (vLLM, SGLang, llama.cpp). */
  top_k?: number;
  min_p?: number;
  frequency_penalty?: number;
}

/** OpenAI's response_format; `structured()` sets json_schema itself. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } };

export interface ChatRequest extends SamplingParams {
  /** Which stage/purpose is calling: selects the model (LLM_MODEL_<PURPOSE>) and labels metrics. */
  purpose: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** Stable hash of the prompt template that built `messages` (recorded on the output record). */
  promptTemplateHash?: string;
  /** false: skip the response cache (when sampling diversity is wanted). Default true. */
  cache?: boolean;
  signal?: AbortSignal;
  /** Overrides the model chosen by purpose. */
  model?: string;
  response_format?: ResponseFormat;
  /** Extra top-level body fields for a particular server (e.g. vLLM's guided_json); part of the cache key. */
  extra_body?: Record<string, unknown>;
}

export interface ChatResponse {
  content: string;
  tool_calls: ToolCall[];
  finish_reason: string;
  model: string;
  usage: LlmUsage;
  cached: boolean;
}

export interface LlmClient {
  readonly model: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
  /** Chat whose reply must be JSON matching `schema`; a reply that fails validation is retried with the error, then throws a non-retriable error. */
  structured<T>(request: ChatRequest & { schema: z.ZodType<T>; schemaName: string }): Promise<{ value: T; response: ChatResponse }>;
  close(): Promise<void>;
}

/** Adds one call's usage to a running total (for records built from several calls). */
export function addUsage(total: LlmUsage | null, next: LlmUsage): LlmUsage {
  if (!total) return { ...next };
  return {
    model: total.model,
    endpoint: total.endpoint,
    prompt_template_hash: total.prompt_template_hash,
    input_tokens: total.input_tokens + next.input_tokens,
    output_tokens: total.output_tokens + next.output_tokens,
    calls: total.calls + next.calls,
    cached_calls: total.cached_calls + next.cached_calls,
    cost_usd: total.cost_usd + next.cost_usd,
  };
}
