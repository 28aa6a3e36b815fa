import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig, platformConfigSchema } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { priceTableSchema, type PriceTable } from './pricing.ts';

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const count = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

export const LOCAL_MODEL_NAME = 'smollm2-135m-instruct';
/** LLM_TIMEOUT_MS default for the embedded model (the remote default is 2 minutes). */
const LOCAL_TIMEOUT_MS = 600_000;
export const defaultLocalModelPath = path.join(projectRoot, 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');

/** The LLM client's environment variables; per-purpose LLM_MODEL_<PURPOSE> / LLM_CACHE_<PURPOSE> are read besides. */
export const llmEnvSchema = z.object({
  FLYWHEEL_HOME: platformConfigSchema.shape.FLYWHEEL_HOME,
  /** none: stages use their deterministic strategies; local: the embedded model's endpoint; openai: OPENAI_BASE_URL. */
  FLYWHEEL_LLM: z.enum(['none', 'local', 'openai']).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: count(120_000, 1),
  LLM_MAX_RETRIES: count(4),
  LLM_RETRY_INITIAL_MS: count(500, 1),
  LLM_RETRY_MAX_MS: count(30_000, 1),
  LLM_MAX_IN_FLIGHT: count(8, 1),
  /** 0 = no limit */
  LLM_REQUESTS_PER_MIN: count(0),
  /** 0 = no limit; counts prompt + completion tokens */
  LLM_TOKENS_PER_MIN: count(0),
  LLM_CACHE: flag.default(true),
  LLM_CACHE_DIR: z.string().optional(),
  LLM_PRICES_JSON: z.string().optional(),
  LLM_PRICES_FILE: z.string().optional(),
  /** Corrective retries when structured output fails its schema. */
  LLM_STRUCTURED_RETRIES: count(2),
  /** How structured output is requested: a json_schema response_format, json_object, or only by prompt. */
  LLM_STRUCTURED_MODE: z.enum(['json_schema', 'json_object', 'prompt']).default('json_schema'),
  /** Re-asks when a reply is unusable (tool arguments that are not JSON). */
  LLM_REPLY_RETRIES: count(2),
  LLM_STREAM: flag.default(false),
  LLM_LOCAL_HOST: z.string().default('127.0.0.1'),
  LLM_LOCAL_PORT: z.coerce.number().int().min(0).max(65535).default(18080),
  LLM_LOCAL_MODEL_PATH: z.string().default(defaultLocalModelPath),
  /** Any GGUF file to serve instead of the bundled model (wins over LLM_LOCAL_MODEL_PATH). */
  LLM_LOCAL_MODEL: z.string().min(1).optional(),
  /** auto: the GPU when node-llama-cpp finds one (CUDA, Vulkan, Metal), else the CPU; cpu: always the CPU. */
  LLM_LOCAL_GPU: z.enum(['auto', 'cpu']).default('auto'),
  /**
   * Decode threads; 0 = llama.cpp's choice. Default: half the cores — when Kafka and the stages share the
   * machine, a thread per core makes llama.cpp's threads wait on each other (measured ~25× slower on 2 busy cores).
   */
  LLM_LOCAL_THREADS: count(Math.max(1, Math.floor(os.availableParallelism() / 2))),
  LLM_LOCAL_CONTEXT: count(4096, 256),
  /** Requests the embedded model serves at once (sequences of one context). */
  LLM_LOCAL_PARALLEL: count(1, 1),
});
export type LlmEnv = z.infer<typeof llmEnvSchema>;

/** The GGUF file the embedded server loads. */
export function localModelPath(e: Pick<LlmEnv, 'LLM_LOCAL_MODEL' | 'LLM_LOCAL_MODEL_PATH'>): string {
  return e.LLM_LOCAL_MODEL ?? e.LLM_LOCAL_MODEL_PATH;
}

/**
 * The name the embedded server reports and records carry: LLM_MODEL, else the bundled model's name, else the
 * file's (a larger GGUF must not be recorded as the bundled one).
 */
export function localModelName(e: Pick<LlmEnv, 'LLM_MODEL' | 'LLM_LOCAL_MODEL' | 'LLM_LOCAL_MODEL_PATH'>): string {
  const file = localModelPath(e);
  if (e.LLM_MODEL) return e.LLM_MODEL;
  return path.resolve(file) === path.resolve(defaultLocalModelPath) ? LOCAL_MODEL_NAME : path.basename(file).replace(/\.gguf$/i, '').toLowerCase();
}

export interface LlmClientConfig {
  provider: 'openai' | 'local';
  baseURL: string;
  apiKey: string;
  /** Default model; `models[purposeKey(purpose)]` overrides it per purpose. */
  model: string;
  models: Record<string, string>;
  timeoutMs: number;
  retry: { retries: number; initialMs: number; maxMs: number };
  governor: { maxInFlight: number; requestsPerMinute: number; tokensPerMinute: number };
  cache: { enabled: boolean; dir: string; disabledPurposes: string[] };
  prices: PriceTable;
  structuredRetries: number;
  structuredMode: 'json_schema' | 'json_object' | 'prompt';
  replyRetries: number;
  stream: boolean;
}

/** "has-candidates" → "HAS_CANDIDATES": the suffix of LLM_MODEL_<PURPOSE> and LLM_CACHE_<PURPOSE>. */
export function purposeKey(purpose: string): string {
  return purpose.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** Which LLM the environment selects; an explicit FLYWHEEL_LLM wins, else OPENAI_BASE_URL implies openai. */
export function llmMode(env: NodeJS.ProcessEnv = process.env): 'none' | 'local' | 'openai' {
  const parsed = loadConfig(llmEnvSchema.pick({ FLYWHEEL_LLM: true, OPENAI_BASE_URL: true }), env);
  return parsed.FLYWHEEL_LLM ?? (parsed.OPENAI_BASE_URL ? 'openai' : 'none');
}

/** The client configuration the environment describes, or null when FLYWHEEL_LLM=none. Fails naming the variable. */
export function loadLlmClientConfig(env: NodeJS.ProcessEnv = process.env): LlmClientConfig | null {
  const mode = llmMode(env);
  if (mode === 'none') return null;
  const e = loadConfig(llmEnvSchema, env);
  const local = mode === 'local';
  if (!local && !e.OPENAI_BASE_URL) throw new ConfigError('OPENAI_BASE_URL=unset: required when FLYWHEEL_LLM=openai');
  if (!local && !e.LLM_MODEL) throw new ConfigError('LLM_MODEL=unset: required when FLYWHEEL_LLM=openai (the model name the endpoint serves)');
  const prefixed = (prefix: string) =>
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith(prefix) && k.length > prefix.length && v).map(([k, v]) => [k.slice(prefix.length), v!]));
  const cacheFlags = prefixed('LLM_CACHE_');
  delete cacheFlags.DIR;
  for (const [k, v] of Object.entries(cacheFlags)) {
    if (!flag.safeParse(v).success) throw new ConfigError(`LLM_CACHE_${k}=${JSON.stringify(v)}: expected true or false`);
  }
  return {
    provider: local ? 'local' : 'openai',
    baseURL: local ? `http://${e.LLM_LOCAL_HOST}:${e.LLM_LOCAL_PORT}/v1` : e.OPENAI_BASE_URL!,
    apiKey: e.OPENAI_API_KEY ?? (local ? 'local' : 'none'),
    model: local ? localModelName(e) : e.LLM_MODEL!,
    models: prefixed('LLM_MODEL_'),
    // a CPU model writes tens of tokens a second: a full structured budget can take minutes
    timeoutMs: local && !env.LLM_TIMEOUT_MS ? LOCAL_TIMEOUT_MS : e.LLM_TIMEOUT_MS,
    retry: { retries: e.LLM_MAX_RETRIES, initialMs: e.LLM_RETRY_INITIAL_MS, maxMs: e.LLM_RETRY_MAX_MS },
    // the embedded model serves LLM_LOCAL_PARALLEL at a time; a request sent beyond that waits in the server
    // with its timeout running (measured: memory extraction timing out behind one slow reply), so it waits
    // in the governor instead, where no timer runs
    governor: { maxInFlight: local && !env.LLM_MAX_IN_FLIGHT ? e.LLM_LOCAL_PARALLEL : e.LLM_MAX_IN_FLIGHT, requestsPerMinute: e.LLM_REQUESTS_PER_MIN, tokensPerMinute: e.LLM_TOKENS_PER_MIN },
    cache: {
      enabled: e.LLM_CACHE,
      dir: e.LLM_CACHE_DIR ?? path.join(e.FLYWHEEL_HOME, 'llm-cache'),
      disabledPurposes: Object.entries(cacheFlags).filter(([, v]) => !flag.parse(v)).map(([k]) => k),
    },
    prices: loadPrices(e),
    structuredRetries: e.LLM_STRUCTURED_RETRIES,
    structuredMode: e.LLM_STRUCTURED_MODE,
    replyRetries: e.LLM_REPLY_RETRIES,
    stream: e.LLM_STREAM,
  };
}

function loadPrices(e: LlmEnv): PriceTable {
  const [variable, text] = e.LLM_PRICES_JSON
    ? ['LLM_PRICES_JSON', e.LLM_PRICES_JSON]
    : e.LLM_PRICES_FILE
      ? ['LLM_PRICES_FILE', readPriceFile(e.LLM_PRICES_FILE)]
      : [undefined, undefined];
  if (!variable || text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${variable}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = priceTableSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${variable}: ${issue.path.join('.') || '(root)'}: ${issue.message} (expected {"model": {"input": usdPerMTok, "output": usdPerMTok}})`);
  }
  return parsed.data;
}

function readPriceFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`LLM_PRICES_FILE=${JSON.stringify(file)}: cannot read (${(error as Error).message})`);
  }
}
