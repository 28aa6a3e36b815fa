import { getEventListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import client from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TransientError, isRetriable } from '../../services/platform/errors.ts';
import { createLlmClient, type LlmClientOptions } from '../../services/platform/llm/client.ts';
import { LlmOutputError, LlmRequestError, LlmTruncatedError } from '../../services/platform/llm/errors.ts';
import { LlmGovernor } from '../../services/platform/llm/governor.ts';
import { addUsage, type ChatRequest } from '../../services/platform/llm/types.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { FakeOpenAiServer } from '../fakes/openai-server.ts';

let fake: FakeOpenAiServer;
let cacheDir: string;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  fake = await FakeOpenAiServer.start();
});
afterAll(async () => fake.close());
afterEach(() => {
  fake.requests.length = 0;
  fake.latencyMs = 0;
  fake.peakInFlight = 0;
});

/** A client with fast retries, its own governor, registry and cache folder. */
function makeClient(overrides: Partial<LlmClientOptions> = {}) {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-llm-cache-'));
  const retry = { retries: 3, initialMs: 5, maxMs: 40, ...overrides.retry };
  const limits = { maxInFlight: 4, requestsPerMinute: 0, tokensPerMinute: 0, ...overrides.governor };
  const registry = new client.Registry();
  const llm = createLlmClient(
    { baseURL: fake.url, model: 'fake-model', timeoutMs: 2000, cache: { enabled: true, dir: cacheDir, disabledPurposes: [] }, ...overrides, retry, governor: limits },
    { logger, registry, governor: new LlmGovernor(limits, retry) },
  );
  return { llm, registry };
}

const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ purpose: 'test', messages: [{ role: 'user', content: text }], cache: false, ...extra });

async function counter(registry: client.Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((sum, v) => sum + v.value, 0);
}

describe('tool calls', () => {
  const search = { name: 'search', description: 'search the corpus', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

  for (const stream of [false, true]) {
    it(`parses arguments sent as a JSON string, an object, lenient JSON or double-encoded (stream=${stream})`, async () => {
      const { llm } = makeClient({ stream });
      fake.enqueue({
        tool_calls: [
          { name: 'search', arguments: '{"query": "Ed Wood"}' },
          { name: 'search', arguments: { query: 'Plan 9' } },
          { name: 'search', arguments: "{query: 'Bela Lugosi',}" },
          { name: 'search', arguments: JSON.stringify(JSON.stringify({ query: 'Tor Johnson' })) },
        ],
      });
      const reply = await llm.chat(ask('find things', { tools: [search] }));
      expect(reply.tool_calls.map((c) => c.arguments)).toEqual([{ query: 'Ed Wood' }, { query: 'Plan 9' }, { query: 'Bela Lugosi' }, { query: 'Tor Johnson' }]);
      expect(reply.finish_reason).toBe('tool_calls');
      expect(fake.chatRequests[0].body.tools).toEqual([{ type: 'function', function: search }]);
    });
  }

  it('re-asks after tool arguments that are not JSON and counts both calls', async () => {
    const { llm } = makeClient();
    fake.enqueue({ tool_calls: [{ name: 'search', arguments: '{"query": "Ed' }], usage: { prompt_tokens: 10, completion_tokens: 5 } });
    fake.enqueue({ fault: 'invalid_tool_arguments' });
    fake.enqueue({ tool_calls: [{ name: 'search', arguments: '{"query": "Ed Wood"}' }], usage: { prompt_tokens: 10, completion_tokens: 6 } });
    const reply = await llm.chat(ask('find', { tools: [search] }));
    expect(fake.chatRequests).toHaveLength(3);
    expect(reply.tool_calls[0].arguments).toEqual({ query: 'Ed Wood' });
    expect(reply.usage).toMatchObject({ calls: 3 });
    expect(reply.usage.input_tokens).toBeGreaterThan(20); // every attempt is paid for
  });

  it('gives up on arguments that stay invalid with a non-retriable error (dead-letterable)', async () => {
    const { llm } = makeClient({ replyRetries: 2 });
    fake.responder = () => ({ tool_calls: [{ name: 'search', arguments: 'query = Ed Wood' }] });
    try {
      const error = await llm.chat(ask('find', { tools: [search] })).catch((e) => e);
      expect(error).toBeInstanceOf(LlmOutputError);
      expect(isRetriable(error)).toBe(false);
      expect(error.message).toMatch(/tool call search: arguments not valid JSON/);
      expect(fake.chatRequests).toHaveLength(3);
    } finally {
      fake.responder = (await import('../fakes/openai-server.ts')).echoResponder;
    }
  });
});

describe('faults', () => {
  it('rides out a 429 storm, honouring Retry-After, and halves its concurrency limit', async () => {
    const { llm, registry } = makeClient();
    fake.enqueue({ fault: 'rate_limit', retryAfterMs: 30 }, { fault: 'rate_limit', retryAfterMs: 30 }, { fault: 'rate_limit', retryAfterSeconds: 1 });
    const reply = await llm.chat(ask('hello'));
    expect(reply.content).toBe('echo: hello');
    const times = fake.chatRequests.map((r) => r.at);
    expect(times).toHaveLength(4);
    expect(times[3] - times[2]).toBeGreaterThanOrEqual(950); // Retry-After: 1 (s) outranks the 40 ms backoff cap
    expect(await counter(registry, 'flywheel_llm_retries_total', { reason: 'rate_limited' })).toBe(3);
    expect(llm.governor.concurrencyLimit).toBeLessThan(4);
  });

  it('ends a 429 storm that does not stop in a TransientError carrying retryAfterMs', async () => {
    const { llm } = makeClient();
    fake.enqueue(...Array.from({ length: 4 }, () => ({ fault: 'rate_limit' as const, retryAfterMs: 10 })));
    const error = await llm.chat(ask('hello')).catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(isRetriable(error)).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(10);
    expect(fake.chatRequests).toHaveLength(4); // 1 + 3 retries
  });

  it('retries 500s and 503s, but not a 400', async () => {
    const { llm } = makeClient();
    fake.enqueue({ fault: 'server_error' }, { fault: 'server_error', status: 503 });
    expect((await llm.chat(ask('again'))).content).toBe('echo: again');
    expect(fake.chatRequests).toHaveLength(3);
    fake.requests.length = 0;
    fake.enqueue({ fault: 'bad_request' });
    const error = await llm.chat(ask('bad')).catch((e) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect(isRetriable(error)).toBe(false);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('times out a server that never answers and retries', async () => {
    const { llm, registry } = makeClient({ timeoutMs: 150 });
    fake.enqueue({ fault: 'timeout' }, { fault: 'timeout' });
    expect((await llm.chat(ask('slow'))).content).toBe('echo: slow');
    expect(await counter(registry, 'flywheel_llm_retries_total', { reason: 'timeout' })).toBe(2);
    fake.enqueue(...Array.from({ length: 4 }, () => ({ fault: 'timeout' as const })));
    const error = await llm.chat(ask('never')).catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/timeout/);
  });

  it('retries a malformed JSON body, a cut connection and a truncated stream', async () => {
    const { llm } = makeClient();
    fake.enqueue({ fault: 'malformed_json' }, { fault: 'truncated' }, { fault: 'reset' });
    expect((await llm.chat(ask('garbled'))).content).toBe('echo: garbled');
    expect(fake.chatRequests).toHaveLength(4);
    const streaming = makeClient({ stream: true }).llm;
    fake.requests.length = 0;
    fake.enqueue({ fault: 'truncated' }, { fault: 'malformed_json' });
    expect((await streaming.chat(ask('streamed reply that is long enough to come in chunks'))).content).toBe('echo: streamed reply that is long enough to come in chunks');
    expect(fake.chatRequests).toHaveLength(3);
  });
});

describe('cache', () => {
  it('answers a replayed request from disk: no request sent, cost 0, cached_calls counted', async () => {
    const prices = { 'fake-model': { input: 1, output: 2 } };
    const { llm, registry } = makeClient({ prices });
    const request = ask('cache me', { cache: true, temperature: 0, seed: 7 });
    const first = await llm.chat(request);
    expect(first.cached).toBe(false);
    expect(first.usage.cost_usd).toBeGreaterThan(0);
    const second = await llm.chat(request);
    expect(second).toMatchObject({ cached: true, content: first.content });
    expect(second.usage).toMatchObject({ calls: 1, cached_calls: 1, cost_usd: 0, input_tokens: first.usage.input_tokens });
    expect(fake.chatRequests).toHaveLength(1);
    expect(await counter(registry, 'flywheel_llm_cache_total', { result: 'hit' })).toBe(1);

    // a new process (new client) on the same folder still hits
    const again = createLlmClient({ baseURL: fake.url, model: 'fake-model', cache: { enabled: true, dir: cacheDir, disabledPurposes: [] } }, { logger, registry: new client.Registry() });
    expect((await again.chat(request)).cached).toBe(true);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('misses when anything that decides the reply differs, and is skipped with cache:false or per purpose', async () => {
    const { llm } = makeClient({ cache: { enabled: true, dir: fs.mkdtempSync(path.join(os.tmpdir(), 'fw-llm-c-')), disabledPurposes: ['DIVERSE'] } });
    const base = ask('x', { cache: true, seed: 1 });
    await llm.chat(base);
    await llm.chat({ ...base, seed: 2 });
    await llm.chat({ ...base, temperature: 0.85 });
    await llm.chat({ ...base, model: 'other-model' });
    await llm.chat({ ...base, cache: false });
    await llm.chat({ ...base, purpose: 'diverse' });
    await llm.chat({ ...base, purpose: 'diverse' });
    expect(fake.chatRequests).toHaveLength(7);
    await llm.chat(base);
    expect(fake.chatRequests).toHaveLength(7);
  });
});

describe('cost and parameters', () => {
  it('prices every call by the table and the sums agree with the metrics', async () => {
    const prices = { 'fake-*': { input: 0.5, output: 1.5 }, 'fake-big': { input: 10, output: 30 } };
    const { llm, registry } = makeClient({ prices });
    fake.enqueue(
      { content: 'a', usage: { prompt_tokens: 1000, completion_tokens: 200 } },
      { content: 'b', usage: { prompt_tokens: 3000, completion_tokens: 100 } },
      { content: 'c', usage: { prompt_tokens: 100, completion_tokens: 10 }, model: 'fake-big' },
    );
    let total = null;
    for (const text of ['1', '2', '3']) total = addUsage(total, (await llm.chat(ask(text))).usage);
    // (1000+3000)·0.5 + (200+100)·1.5 per 1M, plus 100·10 + 10·30 per 1M for fake-big
    expect(total!.cost_usd).toBeCloseTo((4000 * 0.5 + 300 * 1.5 + 100 * 10 + 10 * 30) / 1e6, 12);
    expect(total).toMatchObject({ calls: 3, input_tokens: 4100, output_tokens: 310 });
    expect(await counter(registry, 'flywheel_llm_cost_usd_total')).toBeCloseTo(total!.cost_usd, 12);
    expect(await counter(registry, 'flywheel_llm_tokens_total', { kind: 'input' })).toBe(4100);
  });

  it('passes sampling parameters through, repetition_penalty included, and picks the model per purpose', async () => {
    const { llm } = makeClient({ models: { JUDGE: 'judge-model' } });
    await llm.chat(ask('p', { purpose: 'judge', temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1, max_tokens: 64, seed: 3, stop: ['</answer>'] }));
    expect(fake.chatRequests[0].body).toMatchObject({ model: 'judge-model', temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1, max_tokens: 64, seed: 3, stop: ['</answer>'] });
    expect(llm.modelFor('rollout')).toBe('fake-model');
  });

  it('reports in-flight and queued requests as gauges while calls wait', async () => {
    const { llm, registry } = makeClient({ governor: { maxInFlight: 2, requestsPerMinute: 0, tokensPerMinute: 0 } });
    fake.latencyMs = 200;
    const calls = Array.from({ length: 5 }, (_, i) => llm.chat(ask(`g${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0].value;
    expect(await gauge('flywheel_llm_in_flight')).toBeGreaterThanOrEqual(2);
    expect(await gauge('flywheel_llm_queued')).toBeGreaterThanOrEqual(3);
    await Promise.all(calls);
  });

  it('turns a caller abort into a retriable error (a stopping stage must not dead-letter the record)', async () => {
    const { llm } = makeClient();
    fake.enqueue({ fault: 'timeout' });
    const controller = new AbortController();
    const pending = llm.chat(ask('abandon', { signal: controller.signal })).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(TransientError);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('keeps requests in flight at the configured limit', async () => {
    const own = await FakeOpenAiServer.start({ latencyMs: 40 }); // no stragglers from other tests
    try {
      const { llm } = makeClient({ baseURL: own.url, governor: { maxInFlight: 3, requestsPerMinute: 0, tokensPerMinute: 0 } });
      await Promise.all(Array.from({ length: 12 }, (_, i) => llm.chat(ask(`c${i}`))));
      expect(own.peakInFlight).toBe(3);
      expect(llm.governor.peakInFlight).toBe(3);
    } finally {
      await own.close();
    }
  });
});

describe('structured output', () => {
  const Verdict = z.object({ correct: z.boolean(), rationale: z.string().min(1) });

  it('retries a reply that fails validation with the error in the conversation', async () => {
    const { llm } = makeClient();
    fake.enqueue({ content: 'I think it is right.' }, { content: '{"correct": "yes", "rationale": "same"}' }, { content: '```json\n{"correct": true, "rationale": "same name"}\n```' });
    const { value, response } = await llm.structured({ ...ask('judge this'), schema: Verdict, schemaName: 'verdict' });
    expect(value).toEqual({ correct: true, rationale: 'same name' });
    expect(response.usage.calls).toBe(3);
    const [first, second, third] = fake.chatRequests.map((r) => r.body);
    expect(first.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'verdict' } });
    expect(first.messages![0]).toMatchObject({ role: 'system' });
    expect(second.messages!.at(-1)!.content).toMatch(/not JSON/);
    expect(third.messages!.at(-1)!.content).toMatch(/correct/);
  });

  it('throws a non-retriable error once the retries are spent', async () => {
    const { llm } = makeClient({ structuredRetries: 1 });
    fake.enqueue({ content: '{"correct": 1}' }, { content: '{"correct": 2}' });
    const error = await llm.structured({ ...ask('judge'), schema: Verdict, schemaName: 'verdict' }).catch((e) => e);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(isRetriable(error)).toBe(false);
    expect(error.message).toMatch(/verdict still invalid after 2 attempts/);
  });

  const Bounded = z.object({ items: z.array(z.string().max(20)).max(3) });

  it('sizes max_tokens from the schema bounds unless the caller sets it', async () => {
    const { llm } = makeClient();
    fake.enqueue({ content: '{"items": ["a"]}' }, { content: '{"items": ["b"]}' });
    await llm.structured({ ...ask('list'), schema: Bounded, schemaName: 'bounded' });
    await llm.structured({ ...ask('list', { max_tokens: 7 }), schema: Bounded, schemaName: 'bounded' });
    const [sized, set] = fake.chatRequests.map((r) => r.body.max_tokens as number);
    expect(sized).toBeGreaterThan(Math.ceil('{"items": ["12345678901234567890", "12345678901234567890", "12345678901234567890"]}'.length / 3));
    expect(sized).toBeLessThan(100);
    expect(set).toBe(7);
  });

  it('asks a reply cut at max_tokens again once with twice the budget', async () => {
    const { llm, registry } = makeClient();
    fake.enqueue({ content: '{"items": ["a", "b', finish_reason: 'length' }, { content: '{"items": ["a", "b"]}' });
    const { value, response } = await llm.structured({ ...ask('list', { max_tokens: 10 }), schema: Bounded, schemaName: 'bounded' });
    expect(value.items).toEqual(['a', 'b']);
    expect(response.usage.calls).toBe(2);
    expect(response.usage.endpoint).toBe(fake.url); // records name the endpoint that served them
    expect(fake.chatRequests.map((r) => r.body.max_tokens)).toEqual([10, 20]);
    expect(fake.chatRequests[1].body.messages).toHaveLength(fake.chatRequests[0].body.messages!.length); // no correction turn
    expect(await counter(registry, 'flywheel_llm_retries_total', { reason: 'truncated' })).toBe(1);
  });

  it('fails with LLM_OUTPUT_TRUNCATED (not retriable) when the doubled budget is cut too, and caches no cut reply', async () => {
    const { llm } = makeClient();
    fake.enqueue({ content: '{"items": ["a', finish_reason: 'length' }, { content: '{"items": ["a", "b', finish_reason: 'length' });
    const request = { ...ask('list', { max_tokens: 10, cache: true }), schema: Bounded, schemaName: 'bounded' };
    const error = await llm.structured(request).catch((e) => e);
    expect(error).toBeInstanceOf(LlmTruncatedError);
    expect(error.code).toBe('LLM_OUTPUT_TRUNCATED');
    expect(isRetriable(error)).toBe(false);
    expect(error.message).toMatch(/cut at max_tokens=20/);
    fake.enqueue({ content: '{"items": ["c"]}' });
    expect((await llm.structured(request)).value.items).toEqual(['c']); // asked again, not replayed from the cache
  });

  it('leaves no abort listener on the caller signal after many calls', async () => {
    const { llm } = makeClient();
    const stage = new AbortController();
    await Promise.all(Array.from({ length: 20 }, (_, i) => llm.chat(ask(`listener ${i}`, { signal: stage.signal }))));
    expect(getEventListeners(stage.signal, 'abort')).toHaveLength(0);
  });
});
