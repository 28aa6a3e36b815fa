import type OpenAI from 'openai';
import { TruncatedStreamError } from './errors.ts';
import type { ChatMessage, ChatRequest, ToolSpec } from './types.ts';

type Body = OpenAI.Chat.Completions.ChatCompletionCreateParams;

/** A reply as the server sent it, before tool arguments are parsed. */
export interface RawReply {
  content: string;
  toolCalls: Array<{ id: string; name: string; arguments: unknown }>;
  finishReason: string;
  model: string;
  usage?: { input: number; output: number; cachedInput: number };
}

const SAMPLING_FIELDS = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'max_tokens', 'seed', 'stop'] as const;
/** Not in the OpenAI API; vLLM, SGLang and llama.cpp read them from the top level of the body. */
const EXTRA_SAMPLING_FIELDS = ['repetition_penalty', 'top_k', 'min_p'] as const;

/** The sampling part of a request: what, besides model/messages/tools, decides the reply (and the cache key). */
export function samplingParams(request: ChatRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of [...SAMPLING_FIELDS, ...EXTRA_SAMPLING_FIELDS]) if (request[field] !== undefined) params[field] = request[field];
  if (request.response_format) params.response_format = request.response_format;
  if (request.extra_body) Object.assign(params, request.extra_body);
  return params;
}

export function requestBody(model: string, request: ChatRequest, stream: boolean): Body {
  const body: Record<string, unknown> = { model, messages: request.messages.map(toWireMessage), ...samplingParams(request) };
  if (request.tools?.length) body.tools = request.tools.map(toWireTool);
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return body as unknown as Body;
}

function toWireMessage(message: ChatMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.tool_call_id ?? '' };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.tool_calls?.length
          ? { tool_calls: message.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) }
          : {}),
      };
    default:
      return { role: message.role, content: message.content, ...(message.name ? { name: message.name } : {}) };
  }
}

function toWireTool(tool: ToolSpec): OpenAI.Chat.Completions.ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

export function fromCompletion(completion: OpenAI.Chat.Completions.ChatCompletion, requestedModel: string): RawReply {
  if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
    throw new SyntaxError(`not a chat completion: ${JSON.stringify(completion)?.slice(0, 200)}`);
  }
  const choice = completion.choices[0];
  const message = choice?.message;
  return {
    content: message?.content ?? '',
    toolCalls: (message?.tool_calls ?? []).map((c, i) => {
      const fn = (c as { function?: { name?: string; arguments?: unknown } }).function;
      return { id: c.id || `call_${i}`, name: fn?.name ?? '', arguments: fn?.arguments };
    }),
    finishReason: choice?.finish_reason ?? 'unknown',
    model: completion.model || requestedModel,
    usage: completion.usage
      ? { input: completion.usage.prompt_tokens ?? 0, output: completion.usage.completion_tokens ?? 0, cachedInput: completion.usage.prompt_tokens_details?.cached_tokens ?? 0 }
      : undefined,
  };
}

/** Assembles streamed deltas; a stream that ends without a finish_reason was cut off. */
export async function fromStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>, requestedModel: string): Promise<RawReply> {
  const reply: RawReply = { content: '', toolCalls: [], finishReason: '', model: requestedModel };
  const calls = new Map<number, { id: string; name: string; arguments: string | Record<string, unknown> }>();
  for await (const chunk of stream) {
    if (chunk.model) reply.model = chunk.model;
    if (chunk.usage) reply.usage = { input: chunk.usage.prompt_tokens ?? 0, output: chunk.usage.completion_tokens ?? 0, cachedInput: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0 };
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    if (choice.delta?.content) reply.content += choice.delta.content;
    for (const delta of choice.delta?.tool_calls ?? []) {
      const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      const args = delta.function?.arguments as unknown;
      if (typeof args === 'string' && typeof call.arguments === 'string') call.arguments += args;
      else if (args && typeof args === 'object') call.arguments = args as Record<string, unknown>;
      calls.set(delta.index, call);
    }
    if (choice.finish_reason) reply.finishReason = choice.finish_reason;
  }
  if (!reply.finishReason) throw new TruncatedStreamError();
  reply.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => ({ ...c, id: c.id || `call_${i}` }));
  return reply;
}

/** A rough token count (4 characters a token) for servers that report no usage and for governor estimates. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
