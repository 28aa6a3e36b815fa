import client from 'prom-client';
import type { PlatformConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { followTopic } from '../kafka/follow.ts';
import type { LlmClient } from '../llm/types.ts';
import type { Logger } from '../logger.ts';
import { contentId, recordMeta } from '../records.ts';
import type { StageMetrics } from './metrics.ts';
import { seededRandom } from './random.ts';
import type { AnyStage, StageContext, StageCounter } from './stage.ts';

export type BaseContext = Omit<StageContext<unknown, unknown>, 'state'>;

export interface ContextOptions {
  stage: AnyStage;
  env: NodeJS.ProcessEnv;
  platform: PlatformConfig;
  config: unknown;
  logger: Logger;
  metrics: StageMetrics;
  signal: AbortSignal;
  /** A client to hand out instead of one built from the environment (tests against a fake server). */
  llm?: LlmClient;
  /** Time stamped on records (tests pin it). */
  now?: () => number;
}

/** What a stage's `setup` and `process` get: the only door from domain logic to the platform. */
export function createStageContext(options: ContextOptions): BaseContext & { close(): Promise<void> } {
  const { stage, platform, logger, metrics } = options;
  const producer = { service: stage.name, version: stage.version, instance: platform.INSTANCE_ID };
  const round = platform.FLYWHEEL_ROUND;
  const meta = (id: string, parents?: string[]) => recordMeta({ id, round, producer, parents, now: options.now?.() });
  let llm: Promise<LlmClient> | undefined;
  const counters = new Map<string, client.Counter<string>>();
  return {
    stage: stage.name,
    config: options.config,
    platform,
    logger,
    metrics,
    round,
    producer,
    signal: options.signal,
    meta,
    drop: (reason, subjectId, detail = '', parents) => {
      metrics.drops.inc({ stage: stage.name, reason });
      const { id, round: r, parent_ids, producer: by, created_at } = meta(contentId('drop', stage.name, reason, subjectId), parents ?? [subjectId]);
      return { topic: 'fw.drops' as const, value: { id, round: r, parent_ids, producer: by, created_at, stage: stage.name, reason, subject_id: subjectId, detail } };
    },
    random: (key) => seededRandom(`${stage.name}:${key}`),
    llm: () => (llm ??= options.llm ? Promise.resolve(options.llm) : buildLlm(options)),
    cpt: (sample) => {
      // field by field: on Node 20 `{ ...meta, more }` costs microseconds per record, as much as encoding it
      const { id, parent_ids, producer: by, created_at } = meta(contentId('cpt', sample.origin, ...sample.key), sample.parents);
      const value = { id, round: sample.round ?? round, parent_ids, producer: by, created_at, origin: sample.origin, text: sample.text, source_round: sample.sourceRound ?? round, approx_tokens: Math.ceil(sample.text.length / 4) };
      return { topic: 'fw.cpt.samples' as const, value };
    },
    counter: (name, help, labels = []): StageCounter => {
      let counter = counters.get(name);
      if (!counter) {
        counter = new client.Counter({ name, help, labelNames: ['stage', ...labels], registers: [metrics.registry] });
        counters.set(name, counter);
      }
      const c = counter;
      return { inc: (values = {}, by = 1) => c.inc({ stage: stage.name, ...values }, by) };
    },
    follow: (topic, follow) => followTopic({ ...follow, topic, platform, logger }),
    close: async () => {
      // an injected client belongs to whoever injected it
      if (llm && !options.llm) await (await llm.catch(() => undefined))?.close();
    },
  };
}

async function buildLlm(options: ContextOptions): Promise<LlmClient> {
  // loaded on first use: stages with deterministic strategies never load the model stack
  const { createLlmClientFromEnv } = await import('../llm/client.ts');
  const client = createLlmClientFromEnv(options.env, { logger: options.logger, registry: options.metrics.registry });
  if (!client) {
    throw new ConfigError(`stage ${options.stage.name} needs a model: set FLYWHEEL_LLM=local, or OPENAI_BASE_URL and LLM_MODEL (FLYWHEEL_LLM=openai)`);
  }
  return client;
}
