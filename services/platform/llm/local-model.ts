import fs from 'node:fs';
import path from 'node:path';
import {
  getLlama,
  LlamaLogLevel,
  LlamaChat,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { toGbnfJsonSchema } from './gbnf-schema.ts';

export interface LocalModelOptions {
  modelPath: string;
  /** Name the endpoint reports (and clients send as `model`). */
  name: string;
  /** Tokens of context per parallel request. */
  contextSize: number;
  /** 0: llama.cpp's default. */
  threads: number;
  parallel: number;
  /** auto (default): the GPU when node-llama-cpp finds one; cpu: never. */
  gpu?: 'auto' | 'cpu';
  logger?: Logger;
}

/** The subset of an OpenAI chat request the embedded model understands. */
export interface WireChatRequest {
  messages: Array<{ role: string; content?: string | null | Array<{ type: string; text?: string }>; tool_calls?: Array<{ id: string; function: { name: string; arguments: unknown } }>; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  response_format?: { type: string; json_schema?: { schema?: unknown } };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  seed?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  repetition_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface LocalCompletion {
  content: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: 'stop' | 'length' | 'tool_calls';
  inputTokens: number;
  outputTokens: number;
}

const DEFAULT_MAX_TOKENS = 512;

/**
 * A GGUF model run in-process by node-llama-cpp (prebuilt CPU binaries from npm). Requests take one of
 * `parallel` sequences of a shared context; each request brings its whole history (the OpenAI protocol is
 * stateless), and the sequence's matching prefix is reused by llama.cpp.
 */
export class LocalModel {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: Array<(sequence: LlamaContextSequence) => void> = [];

  private constructor(
    readonly options: LocalModelOptions,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
  ) {
    for (let i = 0; i < options.parallel; i++) this.free.push(context.getSequence());
  }

  static async load(options: LocalModelOptions): Promise<LocalModel> {
    if (!fs.existsSync(options.modelPath)) {
      throw new ConfigError(`LLM_LOCAL_MODEL=${JSON.stringify(options.modelPath)}: no model file there; run scripts/install-model.sh (bundled model) or point LLM_LOCAL_MODEL at a GGUF file`);
    }
    const started = Date.now();
    // build:'never' — only the prebuilt binaries that came with npm; nothing is compiled or downloaded. 'auto'
    // takes a GPU binary (CUDA, Vulkan, Metal) when one is installed and a device answers, else the CPU.
    const llama = await getLlama({ gpu: options.gpu === 'cpu' ? false : 'auto', build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const context = await model.createContext({
      sequences: options.parallel,
      contextSize: options.contextSize * options.parallel,
      ...(options.threads > 0 ? { threads: options.threads } : {}),
    });
    options.logger?.info({ model: path.basename(options.modelPath), gpu: llama.gpu || 'none', ms: Date.now() - started, parallel: options.parallel, contextSize: options.contextSize }, 'local model loaded');
    return new LocalModel(options, llama, model, context);
  }

  async complete(request: WireChatRequest, hooks: { signal?: AbortSignal; onText?: (text: string) => void } = {}): Promise<LocalCompletion> {
    const sequence = await this.acquire();
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const history = toHistory(request.messages);
      const grammar = await this.grammarFor(request);
      const functions = !grammar && request.tools?.length ? toFunctions(request.tools) : undefined;
      let outputTokens = 0;
      const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
      const common = {
        signal: hooks.signal,
        stopOnAbortSignal: true,
        onTextChunk: hooks.onText,
        onToken: (tokens: unknown[]) => (outputTokens += tokens.length),
        maxTokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
        temperature: request.temperature ?? 0,
        topP: request.top_p,
        topK: request.top_k,
        minP: request.min_p,
        seed: request.seed,
        customStopTriggers: stop?.length ? stop : undefined,
        repeatPenalty:
          request.repetition_penalty || request.presence_penalty || request.frequency_penalty
            ? { penalty: request.repetition_penalty, presencePenalty: request.presence_penalty, frequencyPenalty: request.frequency_penalty }
            : undefined,
      };
      const result = functions
        ? await chat.generateResponse(history, { ...common, functions, documentFunctionParams: true })
        : await chat.generateResponse(history, { ...common, grammar });
      const callId = (i: number) => `call_${Date.now().toString(36)}_${i}`;
      let calls = (result.functionCalls ?? []).map((call, i) => ({ id: callId(i), name: call.functionName, arguments: JSON.stringify(call.params ?? {}) }));
      let content = result.response;
      if (!calls.length && request.tools?.length) {
        // small models often write the Hermes/Qwen tag format instead of the wrapper's function syntax
        const tagged = taggedToolCalls(content);
        calls = tagged.calls.map((c, i) => ({ id: callId(i), ...c }));
        if (calls.length) content = tagged.rest;
      }
      const stopReason = result.metadata.stopReason;
      return {
        content,
        toolCalls: calls,
        finishReason: calls.length ? 'tool_calls' : stopReason === 'maxTokens' ? 'length' : 'stop',
        inputTokens: this.promptTokens(chat, history, functions),
        outputTokens,
      };
    } finally {
      chat.dispose({ disposeSequence: false });
      this.release(sequence);
    }
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }

  /** Prompt tokens as the model saw them (chat template applied); plain text if the template cannot be rendered. */
  private promptTokens(chat: LlamaChat, history: ChatHistoryItem[], functions?: ChatModelFunctions): number {
    try {
      const state = chat.chatWrapper.generateContextState({ chatHistory: history, availableFunctions: functions, documentFunctionParams: true });
      return state.contextText.tokenize(this.model.tokenizer).length;
    } catch {
      return this.model.tokenize(history.map(itemText).join('\n')).length;
    }
  }

  private async grammarFor(request: WireChatRequest): Promise<LlamaGrammar | undefined> {
    const format = request.response_format;
    if (format?.type === 'json_schema' && format.json_schema?.schema) return this.llama.createGrammarForJsonSchema(toGbnfJsonSchema(format.json_schema.schema) as never);
    if (format?.type === 'json_object') return this.llama.getGrammarFor('json');
    return undefined;
  }

  private acquire(): Promise<LlamaContextSequence> {
    const sequence = this.free.pop();
    return sequence ? Promise.resolve(sequence) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sequence: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(sequence);
    else this.free.push(sequence);
  }
}

function textOf(content: WireChatRequest['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
  return '';
}

/** OpenAI messages → node-llama-cpp history; tool results are folded into the calls they answer. */
export function toHistory(messages: WireChatRequest['messages']): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const calls = new Map<string, ChatModelFunctionCall>();
  for (const message of messages) {
    const text = textOf(message.content);
    if (message.role === 'system' || message.role === 'developer') history.push({ type: 'system', text });
    else if (message.role === 'user') history.push({ type: 'user', text });
    else if (message.role === 'assistant') {
      const response: Array<string | ChatModelFunctionCall> = text ? [text] : [];
      for (const call of message.tool_calls ?? []) {
        const args = call.function.arguments;
        const item: ChatModelFunctionCall = { type: 'functionCall', name: call.function.name, params: typeof args === 'string' ? safeJson(args) : args, result: '' };
        calls.set(call.id, item);
        response.push(item);
      }
      history.push({ type: 'model', response });
    } else if (message.role === 'tool') {
      const call = calls.get(message.tool_call_id ?? '');
      if (call) call.result = text;
      else history.push({ type: 'user', text: `Tool result:\n${text}` });
    }
  }
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

function toFunctions(tools: NonNullable<WireChatRequest['tools']>): ChatModelFunctions {
  return Object.fromEntries(
    tools.filter((t) => t.type === 'function').map((t) => [t.function.name, { description: t.function.description, params: t.function.parameters ? toGbnfJsonSchema(t.function.parameters) : undefined }]),
  ) as ChatModelFunctions;
}

function itemText(item: ChatHistoryItem): string {
  if (item.type === 'model') return item.response.map((r) => (typeof r === 'string' ? r : 'text' in r ? r.text : JSON.stringify(r))).join('');
  return typeof item.text === 'string' ? item.text : '';
}

/** `<tool_call>{"name": …, "arguments": {…}}</tool_call>` blocks in a reply → calls, and the text around them. */
export function taggedToolCalls(text: string): { calls: Array<{ name: string; arguments: string }>; rest: string } {
  const calls: Array<{ name: string; arguments: string }> = [];
  const rest = text.replace(/<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g, (block, body: string) => {
    const parsed = safeJson(body) as { name?: unknown; arguments?: unknown } | string;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.name !== 'string') return block;
    calls.push({ name: parsed.name, arguments: typeof parsed.arguments === 'string' ? parsed.arguments : JSON.stringify(parsed.arguments ?? {}) });
    return '';
  });
  return { calls, rest: rest.trim() };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
