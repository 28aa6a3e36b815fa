import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AssignerProtocol } from 'kafkajs';
import { topicCatalogue } from '../services/platform/catalogue.ts';
import { projectRoot } from '../services/platform/paths.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../services/rollout/eval/qa-file.ts';
import { TestEnv } from '../test/support.ts';
import { startFakeLlmProcess } from './_fake-llm.ts';
import { compared, envInt, localBrokerPid, note, processCpuSeconds, runIfMain, type BenchResult } from './lib.ts';

const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

/**
 * Rollout scale-out when the policy is a model: the rollout service with the LLM policy against the fake OpenAI
 * server (a child process of its own) at a fixed latency (200 ms a request), run as 1, 2 and 4 `flywheel run
 * rollout` processes in one consumer group (as pods would be) on the same questions, fresh topics each time
 * (fw.fas.questions has 4 partitions). The clock starts once every process has joined the group (start-up, the
 * corpus load and the joins are outside it; so are connecting the producer and encoding the questions), runs
 * from sending the questions, and stops when the group has committed every question. Repetitions
 * interleave 1, 2, 4, 1, 2, 4 and the best of each is kept. Questions/s of n consumers against one; beside each
 * run, the CPU seconds per question of the rollout processes, the fake server and the broker, and the ceiling the
 * partition split allows (questions ÷ the busiest member's share: a member cannot help with another's partition).
 * Every process has the same LLM_MAX_IN_FLIGHT (8 by default), which is what bounds one consumer here (the fake
 * model has no capacity limit); a last case gives one process the in-flight budget of four (scale-up against
 * scale-out, same figure of one consumer as baseline). BENCH_ROLLOUT_CASES=1,4 runs only those cases;
 * BENCH_PROFILE_DIR=<dir> writes a .cpuprofile of every rollout process's whole life there;
 * BENCH_ROLLOUT_LOG_DIR=<dir> keeps each process's debug log there (when each chunk committed).
 */
export async function run(): Promise<BenchResult[]> {
  const latencyMs = envInt('BENCH_ROLLOUT_LATENCY_MS', 200);
  const count = envInt('BENCH_ROLLOUT_QUESTIONS', 160);
  const repetitions = envInt('BENCH_ROLLOUT_REPETITIONS', 2);
  const fake = await startFakeLlmProcess(latencyMs, 'two-step');
  const broker = localBrokerPid();
  const items = readQaFile(qaFile, count);
  const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
  const questions = items.map((item) => qaQuestion(item, qaFile, docIdsByItem.get(item.id) ?? [], 1));
  const inFlight = envInt('BENCH_ROLLOUT_IN_FLIGHT', 8);
  const cases = [
    { name: '1', consumers: 1, inFlight },
    { name: '2', consumers: 2, inFlight },
    { name: '4', consumers: 4, inFlight },
    { name: '1 ×4 in flight', consumers: 1, inFlight: 4 * inFlight },
  ];
  const only = process.env.BENCH_ROLLOUT_CASES?.split(',');
  const logDir = process.env.BENCH_ROLLOUT_LOG_DIR;
  const profileArgs = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const rates = new Map<string, number>();
  try {
    for (const { name, consumers, inFlight: limit } of Array.from({ length: repetitions }, () => cases.filter((c) => !only || only.includes(c.name))).flat()) {
      const env = new TestEnv({ ROLLOUT_G: '4', ROLLOUT_POLICY: 'llm', ROLLOUT_MODE: 'react', LLM_CACHE: 'false', LOG_LEVEL: logDir ? 'debug' : 'warn', LLM_MAX_IN_FLIGHT: String(limit) });
      const processes: ChildProcess[] = [];
      const admin = env.kafka.admin();
      await admin.connect();
      // connected and encoded before the clock: sending the questions is the only producer work timed
      const producer = env.kafka.producer({ idempotent: true });
      await producer.connect();
      try {
        const topic = env.topic('fw.fas.questions');
        const spec = topicCatalogue().get('fw.fas.questions');
        const messages = await Promise.all(questions.map(async (q) => ({ key: q.id, value: await env.serde.encode(spec.value, q, topic) })));
        await env.createTopics();
        await env.produce('fw.docs', docs);
        const groupId = env.topic('fw.rollout');
        for (let i = 0; i < consumers; i++) {
          processes.push(
            spawn(process.execPath, [...profileArgs, path.join(projectRoot, 'bin/flywheel.mjs'), 'run', 'rollout'], {
              env: { ...env.env, FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: fake.url, LLM_MODEL: 'fake-policy', INSTANCE_ID: `bench-${i}` },
              stdio: ['ignore', logDir ? fs.openSync(path.join(logDir, `${name.replace(/\W+/g, '_')}-${i}-${Date.now()}.log`), 'w') : 'ignore', 'inherit'],
            }),
          );
        }
        let members: Array<{ memberAssignment: Buffer }> = [];
        for (;;) {
          const [group] = (await admin.describeGroups([groupId])).groups;
          members = group?.members ?? [];
          if (group?.state === 'Stable' && members.length === consumers) break;
          await sleep(200);
        }
        const cpu = () => ({ rollout: processes.map((p) => processCpuSeconds(p.pid)), fake: processCpuSeconds(fake.pid), broker: processCpuSeconds(broker) });
        const before = cpu();
        const start = performance.now();
        await producer.send({ topic, messages });
        for (;;) {
          const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
          const done = committed[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
          if (done >= questions.length) break;
          await sleep(100);
        }
        const seconds = (performance.now() - start) / 1000;
        const after = cpu();
        rates.set(name, Math.max(rates.get(name) ?? 0, questions.length / seconds));
        const perPartition = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        const shares = members.map((m) => (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []).reduce((sum, p) => sum + (perPartition.get(p) ?? 0), 0));
        const perQuestion = (a: number, b: number) => ((1000 * (b - a)) / questions.length).toFixed(1);
        const rolloutCpu = after.rollout.reduce((s, v, i) => s + v - before.rollout[i], 0);
        note(
          `${consumers} consumer process(es), ${limit} in flight each: ${questions.length} questions × G=4 in ${seconds.toFixed(1)} s = ${(questions.length / seconds).toFixed(2)}/s ` +
            `(split ${shares.join('/')}: ceiling ${(questions.length / Math.max(...shares)).toFixed(2)}× one consumer); CPU ms/question: rollout ${perQuestion(0, rolloutCpu)} ` +
            `(${after.rollout.map((v, i) => perQuestion(before.rollout[i], v)).join(' + ')}), fake server ${perQuestion(before.fake, after.fake)}, broker ${broker ? perQuestion(before.broker, after.broker) : '?'}; ` +
            `${(rolloutCpu / seconds).toFixed(2)} cores for rollout (load ${os.loadavg()[0].toFixed(1)})`,
        );
      } finally {
        for (const p of processes) p.kill('SIGTERM');
        await Promise.all(processes.map((p) => new Promise((resolve) => (p.exitCode === null ? p.once('exit', resolve) : resolve(undefined)))));
        await producer.disconnect();
        await admin.disconnect();
        await env.cleanup();
      }
    }
  } finally {
    await fake.close();
  }
  const one = compared(`rollout, 1 consumer (LLM policy, ${latencyMs} ms a request, ${inFlight} in flight)`, rates.get('1') ?? NaN, 'questions/s');
  return [
    one,
    compared('rollout, 2 consumers', rates.get('2') ?? NaN, 'questions/s', one),
    compared('rollout, 4 consumers', rates.get('4') ?? NaN, 'questions/s', one),
    compared(`rollout, 1 consumer with ${4 * inFlight} in flight`, rates.get('1 ×4 in flight') ?? NaN, 'questions/s', one),
  ];
}

runIfMain(import.meta.url, 'rollout scale-out against a model with fixed latency', run);
