import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadLlmClientConfig, llmMode, purposeKey } from './config.ts';

const base = { FLYWHEEL_HOME: '/tmp/fw-home' };
const fails = (env: NodeJS.ProcessEnv, variable: RegExp) => {
  let error: unknown;
  try {
    loadLlmClientConfig({ ...base, ...env });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(variable);
};

describe('LLM configuration from the environment', () => {
  it('selects none, local or openai', () => {
    expect(llmMode(base)).toBe('none');
    expect(loadLlmClientConfig(base)).toBeNull();
    expect(llmMode({ ...base, OPENAI_BASE_URL: 'http://h:8000/v1' })).toBe('openai');
    const local = loadLlmClientConfig({ ...base, FLYWHEEL_LLM: 'local', LLM_LOCAL_PORT: '18099' })!;
    expect(local).toMatchObject({ provider: 'local', baseURL: 'http://127.0.0.1:18099/v1', model: 'smollm2-135m-instruct' });
    expect(local.cache.dir).toBe('/tmp/fw-home/llm-cache');
    // a larger GGUF is named after its file, never recorded as the bundled model
    expect(loadLlmClientConfig({ ...base, FLYWHEEL_LLM: 'local', LLM_LOCAL_MODEL: '/models/Qwen2.5-1.5B-Instruct-Q4_K_M.gguf' })!.model).toBe('qwen2.5-1.5b-instruct-q4_k_m');
    expect(loadLlmClientConfig({ ...base, FLYWHEEL_LLM: 'local', LLM_LOCAL_MODEL: '/models/x.gguf', LLM_MODEL: 'qwen' })!.model).toBe('qwen');
  });

  it('reads models and cache switches per purpose', () => {
    const config = loadLlmClientConfig({
      ...base, FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: 'http://h:8000/v1', LLM_MODEL: 'qwen3', LLM_MODEL_JUDGE: 'qwen3-judge', LLM_CACHE_ROLLOUT: 'false',
      LLM_PRICES_JSON: '{"qwen3": {"input": 0.1, "output": 0.4}}', LLM_MAX_IN_FLIGHT: '16',
    })!;
    expect(config.models).toEqual({ JUDGE: 'qwen3-judge' });
    expect(config.cache.disabledPurposes).toEqual(['ROLLOUT']);
    expect(config.prices.qwen3.output).toBe(0.4);
    expect(config.governor.maxInFlight).toBe(16);
    expect(purposeKey('has-candidates')).toBe('HAS_CANDIDATES');
  });

  it('fails naming the variable', () => {
    fails({ FLYWHEEL_LLM: 'gpt' }, /FLYWHEEL_LLM/);
    fails({ FLYWHEEL_LLM: 'openai' }, /OPENAI_BASE_URL/);
    fails({ FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: 'http://h/v1' }, /LLM_MODEL/);
    fails({ FLYWHEEL_LLM: 'local', LLM_MAX_IN_FLIGHT: '0' }, /LLM_MAX_IN_FLIGHT/);
    fails({ FLYWHEEL_LLM: 'local', LLM_PRICES_JSON: '{"m": {"input": "cheap"}}' }, /LLM_PRICES_JSON: m\.input/);
    fails({ FLYWHEEL_LLM: 'local', LLM_PRICES_JSON: 'not json' }, /LLM_PRICES_JSON: not valid JSON/);
    fails({ FLYWHEEL_LLM: 'local', LLM_PRICES_FILE: '/nonexistent/prices.json' }, /LLM_PRICES_FILE/);
    fails({ FLYWHEEL_LLM: 'local', LLM_CACHE_JUDGE: 'maybe' }, /LLM_CACHE_JUDGE/);
    fails({ FLYWHEEL_LLM: 'local', OPENAI_API_KEY: 'sk-secret', LLM_TIMEOUT_MS: 'soon' }, /LLM_TIMEOUT_MS/);
  });
});

describe('createLlmClient given an environment', () => {
  it('builds the configured client, and refuses when FLYWHEEL_LLM=none', async () => {
    const { createLlmClient } = await import('./client.ts');
    const llm = createLlmClient({ ...base, FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'm', LLM_MODEL_JUDGE: 'j' });
    expect(llm.model).toBe('m');
    expect(llm.modelFor('judge')).toBe('j');
    expect(() => createLlmClient(base)).toThrow(/FLYWHEEL_LLM=none/);
  });
});
