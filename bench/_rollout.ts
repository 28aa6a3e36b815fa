import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue } from '../services/platform/catalogue.ts';
import { loadConfig, loadPlatformConfig } from '../services/platform/config.ts';
import { createLogger } from '../services/platform/logger.ts';
import { projectRoot } from '../services/platform/paths.ts';
import { createStageContext } from '../services/platform/runtime/context.ts';
import { StageMetrics } from '../services/platform/runtime/metrics.ts';
import type { InputRecord } from '../services/platform/runtime/stage.ts';
import { rolloutConfigSchema } from '../services/rollout/config.ts';
import { Corpus } from '../services/rollout/corpus/corpus.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../services/rollout/eval/qa-file.ts';
import { createRolloutStage } from '../services/rollout/stage.ts';
import { startFakeLlmProcess } from './_fake-llm.ts';
import { envInt, note } from './lib.ts';

/**
 * Profiling driver (not part of `npm run bench`): the rollout stage's process function without a broker, as one
 * consumer would run it (BENCH_ROLLOUT_AT_ONCE questions at once: STAGE_PARTITIONS_CONCURRENTLY ×
 * STAGE_CONCURRENCY), LLM policy against the fake OpenAI server in a child process (its CPU is not ours) at
 * BENCH_ROLLOUT_LATENCY_MS, outputs Avro-encoded as the runtime would. Prints questions/s and this process's
 * CPU-ms per question; BENCH_PROFILE=<file> writes a .cpuprofile of the timed part.
 */
const latencyMs = envInt('BENCH_ROLLOUT_LATENCY_MS', 200);
const count = envInt('BENCH_ROLLOUT_QUESTIONS', 96);
const atOnce = envInt('BENCH_ROLLOUT_AT_ONCE', 16);
const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

const server = await startFakeLlmProcess(latencyMs, 'two-step');
const url = server.url;
const env: NodeJS.ProcessEnv = {
  ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'warn', ROLLOUT_G: '4', ROLLOUT_POLICY: 'llm', ROLLOUT_MODE: 'react', LLM_CACHE: 'false',
  FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: url, LLM_MODEL: 'fake-policy',
};
const items = readQaFile(qaFile, count);
const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
const questions = items.map((item) => qaQuestion(item, qaFile, docIdsByItem.get(item.id) ?? [], 1));
const corpus = new Corpus();
for (const doc of docs) corpus.add(doc);
const stage = createRolloutStage({ corpus });
const platform = loadPlatformConfig(env);
const metrics = new StageMetrics();
const abort = new AbortController();
const base = createStageContext({ stage: stage as never, env, platform, config: loadConfig(rolloutConfigSchema, env), logger: createLogger({ level: 'warn' }), metrics, signal: abort.signal });
const state = await stage.setup!(base as never);
const ctx = { ...base, state } as never;
const serde = new SingleObjectSerde();
const catalogue = topicCatalogue();
const record = (value: (typeof questions)[number], i: number): InputRecord<'fw.fas.questions'> =>
  ({ topic: 'fw.fas.questions', partition: 0, offset: String(i), key: value.id, value, headers: {}, timestamp: '0' }) as never;
const once = async () => {
  const limit = pLimit(atOnce);
  await Promise.all(questions.map((q, i) => limit(async () => {
    for (const out of await stage.process(record(q, i), ctx)) serde.encodeSync(catalogue.get(out.topic).value, out.value);
  })));
};
await once(); // warm-up (JIT, connections)
const session = new Session();
session.connect();
if (process.env.BENCH_PROFILE) {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
const cpu = process.cpuUsage();
const started = performance.now();
await once();
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
if (process.env.BENCH_PROFILE) fs.writeFileSync(process.env.BENCH_PROFILE, JSON.stringify((await session.post('Profiler.stop')).profile));
const cpuMs = (used.user + used.system) / 1000;
note(`${count} questions × G=4, ${atOnce} at once, ${latencyMs} ms model: ${(count / seconds).toFixed(2)} questions/s, ${(cpuMs / count).toFixed(1)} CPU-ms/question (${((cpuMs / 1000 / seconds) * 100).toFixed(0)}% of a core)`);
session.disconnect();
await server.close();
