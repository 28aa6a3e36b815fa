import path from 'node:path';
import OpenAI from 'openai';
import type client from 'prom-client';
import { z } from 'zod';
import type { LlmUsage } from '../generated/records.ts';
import { ConfigError, FlywheelError, TransientError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { projectRoot } from '../paths.ts';
import { cacheKey, ResponseCache } from './cache.ts';
import { loadLlmClientConfig, purposeKey, type LlmClientConfig } from './config.ts';
import { classifyFailure, LlmRequestError } from './errors.ts';
import { CallFailure, LlmGovernor } from './governor.ts';
import { LlmMetrics } from './metrics.ts';
import { PriceBook } from './pricing.ts';
import { estimateTokens, fromCompletion, fromStream, requestBody, samplingParams, type RawReply } from './protocol.ts';
import { askStructured } from './structured.ts';
import { parseToolArguments } from './tool-args.ts';
import { JsonTransport } from './transport.ts';
import { addUsage, type ChatRequest, type ChatResponse, type LlmClient, type ToolCall } from './types.ts';

export interface LlmClientDeps {
  logger?: Logger;
  /** Where the LLM metrics go (a stage passes `ctx.metrics.registry`); prom-client's default register otherwise. */
  registry?: client.Registry;
  /** A governor of one's own; by default all clients of a process to the same endpoint share one. */
  governor?: LlmGovernor;
}

/** What `createLlmClient` needs: an endpoint and a model; everything else has a default. */
export type LlmClientOptions = Partial<LlmClientConfig> & Pick<LlmClientConfig, 'baseURL' | 'model'>;

export interface FlywheelLlmClient extends LlmClient {
  readonly config: LlmClientConfig;
  readonly governor: LlmGovernor;
  readonly metrics: LlmMetrics;
  /** The model a purpose maps to (LLM_MODEL_<PURPOSE>, else the default). */
  modelFor(purpose: string): string;
}

const sharedGovernors = new Map<string, LlmGovernor>();

/** One governor per process and endpoint (and limits), so all stages and clients in it share the budget. */
export function sharedGovernor(config: Pick<LlmClientConfig, 'baseURL' | 'governor' | 'retry'>): LlmGovernor {
  const key = JSON.stringify([config.baseURL, config.governor, config.retry]);
  let governor = sharedGovernors.get(key);
  if (!governor) sharedGovernors.set(key, (governor = new LlmGovernor(config.governor, config.retry)));
  return governor;
}

export function defaultLlmConfig(options: LlmClientOptions): LlmClientConfig {
  const home = process.env.FLYWHEEL_HOME ?? path.join(projectRoot, '.flywheel');
  return {
    provider: 'openai',
    apiKey: 'none',
    models: {},
    timeoutMs: 120_000,
    structuredRetries: 2,
    structuredMode: 'json_schema',
    replyRetries: 2,
    stream: false,
    prices: {},
    ...options,
    retry: { retries: 4, initialMs: 500, maxMs: 30_000, ...options.retry },
    governor: { maxInFlight: 8, requestsPerMinute: 0, tokensPerMinute: 0, ...options.governor },
    cache: { enabled: true, dir: path.join(home, 'llm-cache'), disabledPurposes: [], ...options.cache },
  };
}

/** A client for the LLM the environment selects (see config.ts), or null when FLYWHEEL_LLM=none. */
export function createLlmClientFromEnv(env: NodeJS.ProcessEnv = process.env, deps: LlmClientDeps = {}): FlywheelLlmClient | null {
  const config = loadLlmClientConfig(env);
  return config ? createLlmClient(config, deps) : null;
}

/**
 * The LLM client over any OpenAI-compatible endpoint: governor, retries, cache, tool-call parsing, cost.
 * Given an environment instead of options it reads it like createLlmClientFromEnv, but FLYWHEEL_LLM=none is
 * then an error (the caller asked for a client).
 */
export function createLlmClient(options: LlmClientOptions | NodeJS.ProcessEnv, deps: LlmClientDeps = {}): FlywheelLlmClient {
  if (isClientOptions(options)) return new OpenAiCompatibleClient(defaultLlmConfig(options), deps);
  const config = loadLlmClientConfig(options);
  if (!config) throw new ConfigError('FLYWHEEL_LLM=none: no LLM is configured (set FLYWHEEL_LLM=local, or FLYWHEEL_LLM=openai with OPENAI_BASE_URL and LLM_MODEL)');
  return new OpenAiCompatibleClient(config, deps);
}

function isClientOptions(value: LlmClientOptions | NodeJS.ProcessEnv): value is LlmClientOptions {
  return typeof value.baseURL === 'string' && typeof value.model === 'string';
}

class OpenAiCompatibleClient implements FlywheelLlmClient {
  readonly model: string;
  readonly governor: LlmGovernor;
  readonly metrics: LlmMetrics;
  private readonly openai: OpenAI;
  private readonly transport: JsonTransport;
  private readonly cache: ResponseCache;
  private readonly prices: PriceBook;
  private readonly logger: Logger;

  constructor(
    readonly config: LlmClientConfig,
    deps: LlmClientDeps,
  ) {
    this.model = config.model;
    this.logger = (deps.logger ?? createLogger({ name: 'llm' })).child({ component: 'llm', endpoint: config.baseURL });
    this.metrics = new LlmMetrics(deps.registry);
    this.governor = deps.governor ?? sharedGovernor(config);
    this.metrics.watch(this.governor);
    // retries and timeouts are ours (the governor's), not the SDK's
    this.openai = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey, maxRetries: 0, timeout: config.timeoutMs + 1000 });
    this.transport = new JsonTransport(config.baseURL, config.apiKey);
    this.cache = new ResponseCache(config.cache.dir);
    this.prices = new PriceBook(config.prices);
  }

  modelFor(purpose: string): string {
    return this.config.models[purposeKey(purpose)] ?? this.config.model;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const model = request.model ?? this.modelFor(request.purpose);
    const labels = { purpose: request.purpose, model };
    const stopTimer = this.metrics.seconds.startTimer(labels);
    const useCache = this.cacheEnabledFor(request);
    // hashing the whole conversation costs as much as sending it: only when the cache is asked
    const key = useCache ? cacheKey({ model, messages: request.messages, tools: request.tools ?? [], params: samplingParams(request), seed: request.seed }) : '';
    try {
      if (useCache) {
        const hit = this.cache.get(key);
        this.metrics.cache.inc({ purpose: request.purpose, result: hit ? 'hit' : 'miss' });
        if (hit) {
          this.metrics.requests.inc({ ...labels, outcome: 'cached' });
          const usage = { ...hit.usage, endpoint: this.config.baseURL, prompt_template_hash: request.promptTemplateHash ?? hit.usage.prompt_template_hash, calls: 1, cached_calls: 1, cost_usd: 0 };
          return { ...hit, usage, cached: true };
        }
      } else {
        this.metrics.cache.inc({ purpose: request.purpose, result: 'bypass' });
      }
      const { response, single } = await this.fetchUsableReply(model, request);
      // a reply cut at max_tokens is not one to replay
      if (useCache && response.finish_reason !== 'length') this.remember(key, { ...response, usage: single });
      this.metrics.requests.inc({ ...labels, outcome: 'ok' });
      return response;
    } catch (error) {
      this.metrics.requests.inc({ ...labels, outcome: (error as { code?: string }).code ?? 'error' });
      throw error;
    } finally {
      stopTimer();
    }
  }

  structured<T>(request: ChatRequest & { schema: z.ZodType<T>; schemaName: string }): Promise<{ value: T; response: ChatResponse }> {
    return askStructured((r) => this.chat(r), request, {
      mode: this.config.structuredMode,
      retries: this.config.structuredRetries,
      onRetry: (reason, detail) => {
        this.metrics.retries.inc({ purpose: request.purpose, model: request.model ?? this.modelFor(request.purpose), reason });
        this.logger.warn({ purpose: request.purpose, ...detail }, reason === 'truncated' ? 'structured reply cut at max_tokens; asking again with twice the budget' : 'structured output failed validation; asking again');
      },
    });
  }

  async close(): Promise<void> {
    // the governor is shared by the process; the transport's idle keep-alive sockets go
    this.transport.close();
  }

  /** Sends until a reply's tool calls parse (re-asking up to replyRetries times); usage sums every attempt. */
  private async fetchUsableReply(model: string, request: ChatRequest): Promise<{ response: ChatResponse; single: LlmUsage }> {
    let total: LlmUsage | null = null;
    for (let attempt = 0; ; attempt++) {
      const raw = await this.send(model, request);
      const single = this.usageOf(raw, model, request);
      total = addUsage(total, single);
      let toolCalls: ToolCall[];
      try {
        toolCalls = raw.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: parseToolArguments(c.arguments, c.name) }));
      } catch (error) {
        if (attempt >= this.config.replyRetries) throw error;
        this.metrics.retries.inc({ purpose: request.purpose, model, reason: 'invalid_tool_arguments' });
        this.logger.warn({ purpose: request.purpose, attempt: attempt + 1, error: (error as Error).message }, 'unusable reply; asking again');
        continue;
      }
      const response: ChatResponse = { content: raw.content, tool_calls: toolCalls, finish_reason: raw.finishReason, model: raw.model, usage: total, cached: false };
      return { response, single };
    }
  }

  /** One governed call: queueing, timeout, classification and retries of transport failures. */
  private async send(model: string, request: ChatRequest): Promise<RawReply> {
    try {
      return await this.governedSend(model, request);
    } catch (error) {
      // aborted while queued or backing off: as retriable as an abort mid-request
      if (request.signal?.aborted && !(error instanceof FlywheelError)) throw new TransientError('LLM call aborted by the caller', { cause: error });
      throw error;
    }
  }

  private governedSend(model: string, request: ChatRequest): Promise<RawReply> {
    const estimate = estimateTokens(JSON.stringify(request.messages)) + (request.max_tokens ?? 512);
    const body = requestBody(model, request, this.config.stream);
    return this.governor.run(
      estimate,
      async () => {
        const timeout = new AbortController();
        const timer = setTimeout(() => timeout.abort(new Error(`no reply within ${this.config.timeoutMs} ms`)), this.config.timeoutMs);
        const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
        try {
          const raw = this.config.stream
            ? await fromStream(await this.openai.chat.completions.create({ ...body, stream: true }, { signal }), model)
            : fromCompletion((await this.transport.post(body, signal)) as OpenAI.Chat.Completions.ChatCompletion, model);
          return { value: raw, tokens: raw.usage ? raw.usage.input + raw.usage.output : estimate };
        } catch (error) {
          const failure = classifyFailure(error, timeout.signal.aborted && !request.signal?.aborted);
          // the caller (a stopping stage) gave up: retriable, so the record is processed again after restart
          if (failure.reason === 'aborted') throw new TransientError('LLM call aborted by the caller', { cause: error });
          if (!failure.retriable) {
            throw new LlmRequestError(`${this.config.baseURL} rejected the request${failure.status ? ` (HTTP ${failure.status})` : ''}: ${(error as Error).message}`, { cause: error });
          }
          throw new CallFailure(failure, error);
        } finally {
          clearTimeout(timer);
        }
      },
      {
        signal: request.signal,
        onRetry: (failure, attempt, delayMs) => {
          this.metrics.retries.inc({ purpose: request.purpose, model, reason: failure.reason });
          this.logger.warn({ purpose: request.purpose, reason: failure.reason, status: failure.status, attempt, delayMs }, 'LLM call failed; retrying');
        },
      },
    );
  }

  private usageOf(raw: RawReply, model: string, request: ChatRequest): LlmUsage {
    const tokens = raw.usage ?? {
      input: estimateTokens(JSON.stringify(request.messages)),
      output: estimateTokens(raw.content + JSON.stringify(raw.toolCalls)),
      cachedInput: 0,
    };
    const priced = this.prices.priceOf(raw.model) ? raw.model : model;
    const cost = this.prices.costUsd(priced, tokens);
    const labels = { purpose: request.purpose, model };
    this.metrics.tokens.inc({ ...labels, kind: 'input' }, tokens.input);
    this.metrics.tokens.inc({ ...labels, kind: 'output' }, tokens.output);
    this.metrics.costUsd.inc(labels, cost);
    return {
      model: raw.model,
      endpoint: this.config.baseURL,
      prompt_template_hash: request.promptTemplateHash ?? '',
      input_tokens: tokens.input,
      output_tokens: tokens.output,
      calls: 1,
      cached_calls: 0,
      cost_usd: cost,
    };
  }

  /** A cache that cannot be written (disk full, read-only) costs replays, not the call. */
  private remember(key: string, response: Omit<ChatResponse, 'cached'>): void {
    try {
      this.cache.set(key, response);
    } catch (error) {
      this.logger.warn({ err: error, dir: this.config.cache.dir }, 'cannot write the LLM response cache');
    }
  }

  private cacheEnabledFor(request: ChatRequest): boolean {
    return this.config.cache.enabled && request.cache !== false && !this.config.cache.disabledPurposes.includes(purposeKey(request.purpose));
  }
}
