import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fs from 'node:fs';
import path from 'node:path';
import { createSerde } from '../../platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../../platform/catalogue.ts';
import { loadConfig, loadPlatformConfig } from '../../platform/config.ts';
import type { DeadLetter, ToolCall, TopicName, TopicValues, Trajectory } from '../../platform/generated/records.ts';
import { KafkaCluster } from '../../platform/kafka/cluster.ts';
import { createLogger } from '../../platform/logger.ts';
import { startStage, type RunningStage } from '../../platform/runtime/runner.ts';
import { rolloutConfigSchema } from '../config.ts';
import { rolloutStage } from '../stage.ts';
import { qaDocuments, qaQuestion, readQaFile } from './qa-file.ts';
import { questionResults, summarise, type EvalSummary, type QuestionResult } from './report.ts';

export interface EvalOptions {
  file: string;
  limit?: number;
  /** Per-question results (JSONL). */
  out: string;
  /** Overrides of the rollout service's environment (ROLLOUT_G, ROLLOUT_MODE, ROLLOUT_POLICY, …). */
  rolloutEnv?: NodeJS.ProcessEnv;
  /** The environment the command runs in (the CLI passes its own). */
  env: NodeJS.ProcessEnv;
  keepTopics?: boolean;
  /** Progress lines (done/total, questions/s, ETA); silent when absent. */
  onProgress?: (line: string) => void;
  timeoutMs?: number;
  /** Aborting (Ctrl-C) stops the service and removes the run's topics. */
  signal?: AbortSignal;
}

export interface EvalRun {
  prefix: string;
  summary: EvalSummary;
  results: QuestionResult[];
  documents: number;
  deadLetters: number;
  seconds: number;
}

/**
 * `flywheel eval`: the file's paragraphs become the offline corpus (fw.docs), its questions go through the very
 * same rollout service as fw.fas.questions, under a topic prefix of its own so runs never mix; when the
 * service has drained, the trajectories are read back and scored.
 */
export async function runEval(options: EvalOptions): Promise<EvalRun> {
  const started = Date.now();
  const baseEnv = options.env;
  const base = loadPlatformConfig(baseEnv);
  const prefix = `${base.TOPIC_PREFIX}eval-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}.`;
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...options.rolloutEnv, TOPIC_PREFIX: prefix };
  const config = loadPlatformConfig(env);
  const rolloutConfig = loadConfig(rolloutConfigSchema, env); // fail on a bad setting before producing anything
  // a question's outputs are G trajectories with their pages; keep one transaction's batch of them well under the
  // broker's message size limit unless the caller chose a batch size
  env.STAGE_MAX_BATCH ??= String(Math.max(1, Math.floor(16 / rolloutConfig.ROLLOUT_G)));
  const names = new TopicNames(prefix);
  const catalogue = topicCatalogue();
  const logger = createLogger({ level: baseEnv.LOG_LEVEL ? config.LOG_LEVEL : 'warn' }); // progress and the summary are the output
  // kafkajs logs a retried metadata miss on fresh topics as an error; the command's own failures still throw
  const kafka = KafkaCluster.fromConfig(config, baseEnv.LOG_LEVEL ? logger : createLogger({ level: 'fatal' }), 'eval');
  const serde = createSerde({ schemaRegistryUrl: config.SCHEMA_REGISTRY_URL });
  try {
    const items = readQaFile(options.file, options.limit);
    if (items.length === 0) throw new Error(`${options.file}: no questions`);
    await kafka.ensureTopics(catalogue, names);
    const { docs, docIdsByItem } = qaDocuments(items, options.file, config.FLYWHEEL_ROUND);
    const questions = items.map((item) => qaQuestion(item, options.file, docIdsByItem.get(item.id) ?? [], config.FLYWHEEL_ROUND));
    await produceAll('fw.docs', docs);
    await produceAll('fw.fas.questions', questions);

    // the rollout service itself, started in-process under the run's prefix
    const running = await startStage(rolloutStage, { env, http: false, progressEveryMs: 0, logger });
    const total = questions.length;
    try {
      await waitForQuestions(running, total, rolloutConfig.ROLLOUT_G, options.timeoutMs ?? 6 * 3600_000, options.onProgress, options.signal);
    } finally {
      await running.stop();
    }

    const trajectories = await readAll<Trajectory>('fw.rollout.trajectories');
    const toolCalls = await readAll<ToolCall>('fw.tool.calls');
    const deadLetters = await readAll<DeadLetter>('fw.dlq');
    const results = questionResults(items, questions.map((q) => q.id), trajectories);
    const counts: Record<string, number> = {};
    for (const c of toolCalls) counts[c.tool] = (counts[c.tool] ?? 0) + 1;
    const summary = summarise(results, rolloutConfig.ROLLOUT_G, counts);
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return { prefix, summary, results, documents: docs.length, deadLetters: deadLetters.length, seconds: (Date.now() - started) / 1000 };
  } finally {
    // the run's topics go whether it worked or not (a failed run leaves nothing behind either)
    if (!options.keepTopics) {
      await kafka.deleteTopicsWithPrefix(prefix).catch((error) => logger.warn({ err: error }, 'could not delete the run topics'));
    }
  }

  async function produceAll<T extends TopicName>(topic: T, values: Array<TopicValues[T]>): Promise<void> {
    const spec = catalogue.get(topic);
    const physical = names.physical(topic);
    const producer = kafka.producer();
    try {
      for (let i = 0; i < values.length; i += 500) {
        const records = await Promise.all(
          values.slice(i, i + 500).map(async (v) => ({ key: String((v as unknown as Record<string, unknown>)[spec.key]), value: await serde.encode(spec.value, v, physical) })),
        );
        await producer.send([{ topic: physical, records }]);
      }
    } finally {
      await producer.close();
    }
  }

  async function readAll<T>(topic: TopicName): Promise<T[]> {
    const spec = catalogue.get(topic);
    const physical = names.physical(topic);
    const messages = await kafka.readTopic(physical);
    return Promise.all(messages.filter((m) => m.value).map((m) => serde.decode<T>(m.value!, spec.value, physical)));
  }
}

async function metricTotal(running: RunningStage, name: string, filter: (labels: Record<string, unknown>) => boolean = () => true): Promise<number> {
  const values = (await running.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((v) => filter(v.labels)).reduce((s, v) => s + v.value, 0);
}

/**
 * Waits until every question is accounted for: its G trajectories committed (in one transaction) or a dead
 * letter. Counting committed outputs is exact, where watching consumer offsets cannot tell a question that is
 * still being worked on (an LLM rollout can take minutes) from a trailing transaction marker. (Not the GRPO
 * groups: an unanswerable question has none.)
 */
export async function waitForQuestions(running: RunningStage, total: number, g: number, timeoutMs: number, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (signal?.aborted) throw new Error('eval interrupted');
    const trajectories = await metricTotal(running, 'flywheel_records_out_total', (l) => l.topic === 'fw.rollout.trajectories');
    const dead = await metricTotal(running, 'flywheel_records_dead_lettered_total');
    const done = Math.floor(trajectories / g) + dead;
    const seconds = (Date.now() - started) / 1000;
    const rate = done / Math.max(0.001, seconds);
    onProgress?.(`questions ${done}/${total}  ${rate.toFixed(1)}/s  ETA ${rate > 0 ? `${Math.ceil((total - done) / rate)}s` : '?'}`);
    if (done >= total) return;
    if (Date.now() - started > timeoutMs) throw new Error(`eval: ${total - done} of ${total} questions unanswered after ${Math.round(seconds)} s`);
    await sleep(500, undefined, { signal }).catch(() => undefined);
  }
}
