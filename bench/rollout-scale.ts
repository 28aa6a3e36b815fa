import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../services/platform/paths.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../services/rollout/eval/qa-file.ts';
import { FakeOpenAiServer, type RecordedRequest } from '../test/fakes/openai-server.ts';
import { TestEnv } from '../test/support.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

/** A model that searches once, then answers: two calls per rollout, each taking the server's fixed latency. */
function twoStepPolicy(request: RecordedRequest) {
  const messages = (request.body.messages ?? []) as Array<{ role: string; content: string | null }>;
  if (!messages.some((m) => m.role === 'tool')) {
    return { content: '<think>search</think>', tool_calls: [{ name: 'search', arguments: JSON.stringify({ query: [String(messages[1]?.content ?? '')] }) }] };
  }
  return { content: '<think>found it</think><answer>unknown</answer>' };
}

/**
 * Rollout scale-out when the policy is a model: the rollout service with the LLM policy against the fake OpenAI
 * server at a fixed latency (200 ms a request), run as 1, 2 and 4 `flywheel run rollout` processes in one
 * consumer group (as pods would be) on the same questions, fresh topics each time (fw.fas.questions has 4
 * partitions). The clock starts once every process has joined the group and stops when the group has committed
 * every question. Repetitions interleave 1, 2, 4, 1, 2, 4 and the best of each is kept. Questions/s of n
 * consumers against one.
 */
export async function run(): Promise<BenchResult[]> {
  const latencyMs = envInt('BENCH_ROLLOUT_LATENCY_MS', 200);
  const count = envInt('BENCH_ROLLOUT_QUESTIONS', 96);
  const repetitions = envInt('BENCH_ROLLOUT_REPETITIONS', 2);
  const fake = await FakeOpenAiServer.start({ latencyMs, responder: twoStepPolicy });
  const items = readQaFile(qaFile, count);
  const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
  const questions = items.map((item) => qaQuestion(item, qaFile, docIdsByItem.get(item.id) ?? [], 1));
  const rates = new Map<number, number>();
  try {
    for (const consumers of Array.from({ length: repetitions }, () => [1, 2, 4]).flat()) {
      const env = new TestEnv({ ROLLOUT_G: '4', ROLLOUT_POLICY: 'llm', ROLLOUT_MODE: 'react', LLM_CACHE: 'false', LOG_LEVEL: 'warn' });
      const processes: ChildProcess[] = [];
      const admin = env.kafka.admin();
      await admin.connect();
      try {
        await env.createTopics();
        await env.produce('fw.docs', docs);
        const groupId = env.topic('fw.rollout');
        for (let i = 0; i < consumers; i++) {
          processes.push(
            spawn(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'run', 'rollout'], {
              env: { ...env.env, FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: fake.url, LLM_MODEL: 'fake-policy', INSTANCE_ID: `bench-${i}` },
              stdio: ['ignore', 'ignore', 'inherit'],
            }),
          );
        }
        for (;;) {
          const [group] = (await admin.describeGroups([groupId])).groups;
          if (group?.state === 'Stable' && group.members.length === consumers) break;
          await sleep(200);
        }
        const start = performance.now();
        await env.produce('fw.fas.questions', questions);
        const topic = env.topic('fw.fas.questions');
        for (;;) {
          const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
          const done = committed[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
          if (done >= questions.length) break;
          await sleep(100);
        }
        const seconds = (performance.now() - start) / 1000;
        rates.set(consumers, Math.max(rates.get(consumers) ?? 0, questions.length / seconds));
        note(`${consumers} consumer process(es): ${questions.length} questions × G=4 in ${seconds.toFixed(1)} s (load ${os.loadavg()[0].toFixed(1)})`);
      } finally {
        for (const p of processes) p.kill('SIGTERM');
        await Promise.all(processes.map((p) => new Promise((resolve) => (p.exitCode === null ? p.once('exit', resolve) : resolve(undefined)))));
        await admin.disconnect();
        await env.cleanup();
      }
    }
  } finally {
    await fake.close();
  }
  const one = compared(`rollout, 1 consumer (LLM policy, ${latencyMs} ms a request)`, rates.get(1)!, 'questions/s');
  return [one, ...[2, 4].map((c) => compared(`rollout, ${c} consumers`, rates.get(c)!, 'questions/s', one))];
}

runIfMain(import.meta.url, 'rollout scale-out against a model with fixed latency', run);
