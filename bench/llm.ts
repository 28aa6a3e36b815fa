import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import client from 'prom-client';
import { createLlmClient, type LlmClientOptions } from '../services/platform/llm/client.ts';
import { defaultLocalModelPath, LOCAL_MODEL_NAME, loadLlmClientConfig } from '../services/platform/llm/config.ts';
import { LlmGovernor } from '../services/platform/llm/governor.ts';
import { LocalModel } from '../services/platform/llm/local-model.ts';
import { startLocalLlmServer } from '../services/platform/llm/local-server.ts';
import { localServerSettings } from '../services/platform/llm/local-process.ts';
import { createLogger } from '../services/platform/logger.ts';
import { startFakeLlmProcess, type FakeLlmProcess } from './_fake-llm.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

/**
 * The LLM client against the fake OpenAI-compatible server (in a child process, as a real server would be: its
 * CPU does not run on the client's event loop): how close the governor keeps requests in flight to its configured
 * limit under a fixed server latency (after a warm-up: JIT, connections; best of BENCH_LLM_ROUNDS, each beside the
 * same number of bare POSTs from `limit` loops, which shows what the machine and the server allow), and what the client (governor, cache
 * lookup, tool-call parsing, metrics, transport) costs per request next to a bare node:http POST of the same
 * request in the same run.
 * With the embedded model installed: its decode tokens/s in-process, and through its HTTP endpoint + client.
 */

const logger = createLogger({ level: 'silent' });

function benchClient(url: string, maxInFlight: number, cacheDir: string, extra: Partial<LlmClientOptions> = {}) {
  const retry = { retries: 2, initialMs: 10, maxMs: 100 };
  const limits = { maxInFlight, requestsPerMinute: 0, tokensPerMinute: 0 };
  return createLlmClient(
    { baseURL: url, model: 'fake-model', retry, governor: limits, cache: { enabled: true, dir: cacheDir, disabledPurposes: [] }, ...extra },
    { logger, registry: new client.Registry(), governor: new LlmGovernor(limits, retry) },
  );
}

const messages = [
  { role: 'system' as const, content: 'You are a careful research agent. Use the tools when a fact is needed.' },
  { role: 'user' as const, content: 'Who directed the film Plan 9 from Outer Space, and in which year was it released?' },
];

async function concurrency(cacheDir: string): Promise<BenchResult[]> {
  const limit = envInt('BENCH_LLM_LIMIT', 8);
  const total = envInt('BENCH_LLM_REQUESTS', 240);
  const latencyMs = envInt('BENCH_LLM_LATENCY_MS', 50);
  const rounds = envInt('BENCH_LLM_ROUNDS', 3);
  const fake = await startFakeLlmProcess(latencyMs);
  try {
    const llm = benchClient(fake.url, limit, cacheDir);
    const send = (n: number, tag: string) =>
      Promise.all(Array.from({ length: n }, (_, i) => llm.chat({ purpose: 'bench', messages: [...messages, { role: 'user', content: `${tag} ${i}` }], cache: false })));
    // the same requests as `limit` loops of bare POSTs: what the machine and the server allow any client
    const raw = rawPost(fake.url, JSON.stringify({ model: 'fake-model', messages }));
    const rawPool = () => {
      let sent = 0;
      return Promise.all(Array.from({ length: limit }, async () => {
        while (sent++ < total) await raw();
      }));
    };
    await send(4 * limit, 'warm-up');
    await rawPool();
    await fake.peakInFlight();
    let best = { wallMs: Infinity, meanInFlight: 0, cpuMicros: 0 };
    let bestRawMs = Infinity;
    for (let round = 0; round < rounds; round++) {
      const busyBefore = llm.governor.inFlightMs;
      const cpu = process.cpuUsage();
      let started = performance.now();
      await send(total, `round ${round}`);
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      // time-weighted mean of the governor's in-flight count over the round
      if (wallMs < best.wallMs) best = { wallMs, meanInFlight: (llm.governor.inFlightMs - busyBefore) / wallMs, cpuMicros: used.user + used.system };
      started = performance.now();
      await rawPool();
      bestRawMs = Math.min(bestRawMs, performance.now() - started);
    }
    const peak = await fake.peakInFlight();
    const rate = (total / best.wallMs) * 1000;
    const rawRate = (total / bestRawMs) * 1000;
    note(`concurrency: ${total} requests, ${latencyMs} ms latency, limit ${limit}, best of ${rounds}: client ${best.wallMs.toFixed(0)} ms (${(best.cpuMicros / total).toFixed(0)} µs CPU/request), bare POSTs ${bestRawMs.toFixed(0)} ms, peak ${peak} (load ${os.loadavg()[0].toFixed(1)})`);
    const ideal = { name: 'ideal limit/latency', value: (limit / latencyMs) * 1000 };
    return [
      compared('mean requests in flight (time-weighted)', best.meanInFlight, 'requests', { name: 'configured max in flight', value: limit }),
      compared('peak requests in flight at the server', peak, 'requests', { name: 'configured max in flight', value: limit }),
      compared('throughput', rate, 'requests/s', ideal),
      compared('throughput of bare POSTs, same limit', rawRate, 'requests/s', ideal),
      compared('client throughput vs bare POSTs', rate, 'requests/s', { name: 'bare POSTs, same limit', value: rawRate }),
    ];
  } finally {
    await fake.close();
  }
}

/** A bare keep-alive POST: the least any client could spend sending the request and parsing the reply. */
function rawPost(url: string, body: string): () => Promise<unknown> {
  const agent = new http.Agent({ keepAlive: true });
  const target = new URL(`${url}/chat/completions`);
  const headers = { 'content-type': 'application/json', authorization: 'Bearer none', 'content-length': String(Buffer.byteLength(body)) };
  return () =>
    new Promise((resolve, reject) => {
      const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      });
      req.on('error', reject).end(body);
    });
}

async function overhead(fake: FakeLlmProcess, cacheDir: string): Promise<BenchResult[]> {
  const n = envInt('BENCH_LLM_SEQUENTIAL', 150);
  const llm = benchClient(fake.url, 1, cacheDir);
  const body = JSON.stringify({ model: 'fake-model', messages });
  const raw = rawPost(fake.url, body);
  const viaClient = () => llm.chat({ purpose: 'bench', messages, cache: false });
  const cached = () => llm.chat({ purpose: 'bench', messages, cache: true });
  await cached(); // fills the cache entry the replay figure reads
  const cases = { raw, client: viaClient, cached } as const;
  const best: Record<keyof typeof cases, number> = { raw: Infinity, client: Infinity, cached: Infinity };
  for (const fn of Object.values(cases)) for (let i = 0; i < 20; i++) await fn(); // warm-up
  for (let round = 0; round < 5; round++) {
    for (const [name, fn] of Object.entries(cases) as Array<[keyof typeof cases, () => Promise<unknown>]>) {
      const t = performance.now();
      for (let i = 0; i < n / 5; i++) await fn();
      best[name] = Math.min(best[name], ((performance.now() - t) * 1000) / (n / 5));
    }
  }
  note(`overhead: raw POST ${best.raw.toFixed(0)} µs, client ${best.client.toFixed(0)} µs, cache replay ${best.cached.toFixed(0)} µs per request`);
  const baseline = { name: 'raw node:http POST, same server', value: best.raw };
  return [
    compared('client round trip (sequential, 0 ms server latency)', best.client, 'µs/request', baseline),
    compared('client overhead over raw POST', best.client - best.raw, 'µs/request', baseline),
    compared('cache replay (no request sent)', best.cached, 'µs/request', baseline),
  ];
}

async function embedded(): Promise<BenchResult[]> {
  const settings = localServerSettings({ ...process.env, LLM_LOCAL_PORT: '0' });
  if (!fs.existsSync(settings.modelPath ?? defaultLocalModelPath)) {
    note(`embedded model: not installed at ${settings.modelPath} (scripts/install-model.sh) — skipped`);
    return [];
  }
  const maxTokens = envInt('BENCH_LLM_TOKENS', 96);
  const request = { messages: [{ role: 'user', content: 'Write a long story about a lighthouse keeper and a storm.' }], max_tokens: maxTokens, temperature: 0 };
  const model = await LocalModel.load({ ...settings, parallel: 1, contextSize: 2048 });
  await model.complete({ ...request, max_tokens: 8 }); // warm-up
  let t = performance.now();
  const direct = await model.complete(request);
  const directRate = direct.outputTokens / ((performance.now() - t) / 1000);
  await model.close();

  const server = await startLocalLlmServer({ ...settings, parallel: 1, contextSize: 2048, port: 0 });
  try {
    const llm = createLlmClient({ ...loadLlmClientConfig({ ...process.env, FLYWHEEL_LLM: 'local' })!, baseURL: server.url, cache: { enabled: false, dir: os.tmpdir(), disabledPurposes: [] } }, { logger, registry: new client.Registry() });
    await llm.chat({ purpose: 'bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, cache: false });
    t = performance.now();
    const reply = await llm.chat({ purpose: 'bench', messages: request.messages as never, max_tokens: maxTokens, temperature: 0, cache: false });
    const endpointRate = reply.usage.output_tokens / ((performance.now() - t) / 1000);
    note(`embedded ${LOCAL_MODEL_NAME} (${settings.threads} threads): ${directRate.toFixed(1)} tok/s in-process, ${endpointRate.toFixed(1)} tok/s via endpoint`);
    return [
      compared(`embedded ${LOCAL_MODEL_NAME} decode, in-process (${settings.threads} thread${settings.threads === 1 ? '' : 's'})`, directRate, 'tokens/s'),
      compared('embedded model through HTTP endpoint + client', endpointRate, 'tokens/s', { name: 'in-process decode', value: directRate }),
    ];
  } finally {
    await server.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-llm-'));
  const results = await concurrency(cacheDir);
  const fake = await startFakeLlmProcess(0);
  try {
    results.push(...(await overhead(fake, cacheDir)));
    await fake.close();
    return [...results, ...(await embedded())];
  } finally {
    await fake.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'LLM client (fake OpenAI-compatible server) and embedded model', run);
