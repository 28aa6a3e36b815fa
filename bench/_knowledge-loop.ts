import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import pino from 'pino';
import { ingestPaths } from '../services/ingest/ingest-paths.ts';
import { ingestStage } from '../services/ingest/stage.ts';
import { entitiesStage } from '../services/memory/entities-stage.ts';
import { memoryStage } from '../services/memory/extract-stage.ts';
import { createSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadConfig, loadPlatformConfig } from '../services/platform/config.ts';
import type { KafkaCluster, OutgoingRecord } from '../services/platform/kafka/cluster.ts';
import { createLogger } from '../services/platform/logger.ts';
import { createStageContext } from '../services/platform/runtime/context.ts';
import { StageMetrics } from '../services/platform/runtime/metrics.ts';
import { projectRoot } from '../services/platform/paths.ts';
import type { AnyStage, InputRecord, OutputRecord, StageContext } from '../services/platform/runtime/stage.ts';
import { envInt, startCpuProfile } from './lib.ts';

/**
 * The knowledge bench's baseline: the three stages' own `process` functions (ingest → memory → memory-entities)
 * called in a loop on the same corpus, in one process, without Kafka, serde or the runtime. The corpus is read by
 * `ingestPaths` itself into memory (a stand-in cluster keeps what it would have produced), so the stages see the
 * very raw records the Kafka run sees, on the partitions it sends them to. Each raw record goes depth first through
 * the three stages, and what a stage writes reaches the followers of its topics at once (as a tail would).
 *
 * Run on its own (a profiling driver, not part of `npm run bench`): `npx tsx bench/_knowledge-loop.ts`;
 * BENCH_PROFILE=<file> writes a .cpuprofile of the timed loop; BENCH_IDS=<file> writes every output id (to
 * compare two versions of the code). BENCH_KNOWLEDGE_QUESTIONS as in bench/knowledge.ts.
 */

export interface LoopResult {
  raw: number;
  docs: number;
  facts: number;
  entities: number;
  seconds: number;
  cpuSeconds: number;
  /** Seconds of process() per stage. */
  stageSeconds: Record<string, number>;
  /** sha256 of every output id in order: equal digests, equal outputs. */
  digest: string;
  ids: string[];
}

type Stage = { stage: AnyStage; context: StageContext<unknown, unknown> };

/** The bench corpus: BENCH_KNOWLEDGE_QUESTIONS HotpotQA questions' paragraphs, the WARC capture and the bgwiki dump. */
export function knowledgeCorpus(): { corpus: string[]; cleanup(): void } {
  const questions = envInt('BENCH_KNOWLEDGE_QUESTIONS', 100);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-knowledge-'));
  const slice = path.join(dir, 'hotpotqa.jsonl');
  fs.writeFileSync(slice, fs.readFileSync(path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, questions).join('\n'));
  const corpus = [slice, path.join(projectRoot, 'data/warc'), path.join(projectRoot, 'data/wiki/bgwiki-latest-pages-articles-shortened.xml.bz2')];
  return { corpus, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The raw records `ingestPaths` would produce for `corpus`, decoded, in order. */
export async function readCorpus(corpus: string[]): Promise<InputRecord[]> {
  const names = new TopicNames('loop.');
  const serde = createSerde();
  const sent: OutgoingRecord[] = [];
  // an empty cluster: nothing kept before, and what ingestPaths produces is kept here
  const kafka = {
    readTopic: async () => [],
    producer: () => ({ send: async (batches: Array<{ topic: string; records: OutgoingRecord[] }>) => void sent.push(...batches.filter((b) => b.topic === names.physical('fw.ingest.raw')).flatMap((b) => b.records)), close: async () => undefined }),
  };
  await ingestPaths(corpus, { kafka: kafka as unknown as KafkaCluster, names, serde, config: loadPlatformConfig({ TOPIC_PREFIX: 'loop.' }) });
  // each record on the partition the producer would send it to (routed, or by key as kafkajs' default partitioner), numbered per partition
  const partitions = topicCatalogue().get('fw.ingest.raw').partitions;
  const byKey = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  const next = new Array<number>(partitions).fill(0);
  return Promise.all(
    sent.map(async (m) => {
      const partition = m.partition ?? byKey({ topic: 'fw.ingest.raw', partitionMetadata, message: { key: m.key, value: m.value } });
      return { topic: 'fw.ingest.raw', partition, offset: String(next[partition]++), key: m.key, value: await serde.decode(m.value!, 'fw.RawDocument', ''), headers: {}, timestamp: '0' } as InputRecord;
    }),
  );
}

/** The three stages set up as the runner sets them up, with followers fed by `deliver` instead of a tail. */
async function setupStages(env: NodeJS.ProcessEnv): Promise<{ stages: Stage[]; deliver: (out: OutputRecord) => void }> {
  const platform = loadPlatformConfig(env);
  const logger = createLogger({ level: 'error', destination: pino.destination(2) });
  // a follower gets what the topic holds when it starts, then what is written until it closes (as followTopic)
  const followers = new Map<string, Set<(value: unknown) => void>>();
  const held = new Map<string, unknown[]>();
  const deliver = (out: OutputRecord) => {
    (held.get(out.topic) ?? held.set(out.topic, []).get(out.topic)!).push(out.value);
    followers.get(out.topic)?.forEach((f) => f(out.value));
  };
  const stages: Stage[] = [];
  for (const stage of [ingestStage, memoryStage, entitiesStage] as AnyStage[]) {
    const base = createStageContext({ stage, env, platform, config: stage.config ? loadConfig(stage.config, env) : {}, logger, metrics: new StageMetrics(), signal: new AbortController().signal, now: () => 0 });
    base.follow = async (topic, options) => {
      const onValue = options.onValue as (value: unknown) => void;
      const loaded = held.get(topic) ?? [];
      for (const value of loaded) onValue(value);
      const set = followers.get(topic) ?? followers.set(topic, new Set()).get(topic)!;
      set.add(onValue);
      return { groupId: 'loop', loaded: loaded.length, close: async () => void set.delete(onValue) };
    };
    stages.push({ stage, context: { ...base, state: await stage.setup?.(base) } });
  }
  return { stages, deliver };
}

/** One pass of the corpus through the three stages' process functions. */
export async function processLoop(raws: InputRecord[], env: NodeJS.ProcessEnv = {}): Promise<LoopResult> {
  // the process functions in one thread, unless told otherwise
  const { stages, deliver } = await setupStages({ MEMORY_EXTRACT_THREADS: '0', ...env, TOPIC_PREFIX: 'loop.' });
  const [ingest, memory, entities] = stages;
  const stageSeconds: Record<string, number> = { ingest: 0, memory: 0, 'memory-entities': 0 };
  const counts = { docs: 0, facts: 0, entities: 0 };
  const ids: string[] = [];
  const run = async ({ stage, context }: Stage, record: InputRecord): Promise<OutputRecord[]> => {
    const t = performance.now();
    const out = await stage.process(record, context);
    stageSeconds[stage.name] += (performance.now() - t) / 1000;
    for (const o of out) {
      ids.push((o.value as { id: string }).id);
      deliver(o);
    }
    return out;
  };
  const input = (out: OutputRecord, i: number): InputRecord => ({ topic: out.topic, partition: 0, offset: String(i), key: out.key ?? null, value: out.value, headers: {}, timestamp: '0' }) as InputRecord;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const raw of raws) {
    for (const doc of (await run(ingest, raw)).filter((o) => o.topic === 'fw.docs')) {
      counts.docs++;
      for (const fact of (await run(memory, input(doc, counts.docs))).filter((o) => o.topic === 'fw.memory.facts')) {
        counts.facts++;
        for (const entity of await run(entities, input(fact, counts.facts))) if (entity.topic === 'fw.memory.entities') counts.entities++;
      }
    }
  }
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  for (const { stage, context } of stages) await stage.teardown?.(context.state);
  const digest = createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16);
  return { raw: raws.length, ...counts, seconds, cpuSeconds: (used.user + used.system) / 1e6, stageSeconds, digest, ids };
}

async function main(): Promise<void> {
  const { corpus, cleanup } = knowledgeCorpus();
  const readStart = performance.now();
  const raws = await readCorpus(corpus);
  console.log(`read ${raws.length} raw records in ${((performance.now() - readStart) / 1000).toFixed(1)} s`);
  cleanup();
  // BENCH_ROUNDS passes (default 2): the first one also warms the JIT up; the last one is profiled and shown
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  for (let round = 1; round < rounds; round++) {
    const w = await processLoop(raws);
    console.log(`pass ${round}: ${(w.raw / w.seconds).toFixed(0)} docs/s, ${(w.raw / w.cpuSeconds).toFixed(0)} docs/CPU-s; ids ${w.digest}`);
  }
  const stopProfile = process.env.BENCH_PROFILE ? await startCpuProfile() : undefined;
  const r = await processLoop(raws, process.env.MEMORY_EXTRACT_THREADS ? { MEMORY_EXTRACT_THREADS: process.env.MEMORY_EXTRACT_THREADS } : {});
  await stopProfile?.(process.env.BENCH_PROFILE!);
  if (process.env.BENCH_IDS) fs.writeFileSync(process.env.BENCH_IDS, r.ids.join('\n') + '\n');
  const stages = Object.entries(r.stageSeconds).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ');
  console.log(`${r.raw} raw → ${r.docs} docs → ${r.facts} facts → ${r.entities} entity updates in ${r.seconds.toFixed(2)} s (${(r.raw / r.seconds).toFixed(0)} docs/s, ${(r.raw / r.cpuSeconds).toFixed(0)} docs/CPU-s; ${stages}); ids ${r.digest} (load ${os.loadavg()[0].toFixed(1)})`);
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(new URL(import.meta.url).pathname)) await main();
