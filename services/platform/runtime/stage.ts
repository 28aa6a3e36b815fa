import type { z } from 'zod';
import type { PlatformConfig } from '../config.ts';
import type { CptSample, Drop, Producer, TopicName, TopicValues } from '../generated/records.ts';
import type { FollowedTopic, FollowTopicOptions } from '../kafka/follow.ts';

export type { FollowedTopic };
import type { LlmClient } from '../llm/types.ts';
import type { Logger } from '../logger.ts';
import type { RecordMeta } from '../records.ts';
import type { StageMetrics } from './metrics.ts';

/** A decoded input record, with where it came from. */
export interface InputRecord<T extends TopicName = TopicName> {
  topic: T;
  partition: number;
  offset: string;
  key: string | null;
  value: TopicValues[T];
  headers: Record<string, string>;
  timestamp: string;
}

/** A record a stage wants written; `key` defaults to the catalogue's key field of the value. */
export type OutputRecord = {
  [T in TopicName]: { topic: T; value: TopicValues[T]; key?: string; headers?: Record<string, string> };
}[TopicName];

export interface StageContext<Config, State> {
  stage: string;
  config: Config;
  platform: PlatformConfig;
  logger: Logger;
  metrics: StageMetrics;
  round: number;
  producer: Producer;
  state: State;
  /** Aborted when the service shuts down: long work should stop early. */
  signal: AbortSignal;
  /** Common record header (id, round, lineage, producer, time). */
  meta(id: string, parents?: string[]): RecordMeta;
  /** A fw.drops record for something filtered out (also counted in flywheel_drops_total). */
  drop(reason: string, subjectId: string, detail?: string, parents?: string[]): { topic: 'fw.drops'; value: Drop };
  /** A deterministic random stream for `key` (e.g. a record id): reruns make the same choices. */
  random(key: string): () => number;
  /**
   * The process's LLM client, built on first use from the stage's own environment, logging to the stage's logger
   * and counting on its /metrics. Throws a ConfigError naming the variables when no model is configured.
   */
  llm(): Promise<LlmClient>;
  /** A fw.cpt.samples record: id from `key` (deterministic), lineage from `parents`, tokens estimated. */
  cpt(sample: CptSampleInput): { topic: 'fw.cpt.samples'; value: CptSample };
  /** A counter of the stage's own on its /metrics (created once per name; label `stage` is added). */
  counter(name: string, help: string, labels?: readonly string[]): StageCounter;
  /**
   * Reads a topic from its beginning into the stage's state (resolving once what it held is applied, within
   * STAGE_STATE_LOAD_TIMEOUT_MS), then keeps applying what other instances commit, until `close()`.
   */
  follow<T extends TopicName>(topic: T, options: Omit<FollowTopicOptions<T>, 'platform' | 'logger' | 'topic'>): Promise<FollowedTopic>;
}

export interface CptSampleInput {
  origin: string;
  text: string;
  /** Parts of the deterministic id besides the origin (e.g. the source record id). */
  key: unknown[];
  parents: string[];
  /** Round of the material the text came from (default: this round). */
  sourceRound?: number;
  /** Round the sample is for (default: this round; recycled material feeds the next one). */
  round?: number;
}

export interface StageCounter {
  inc(labels?: Record<string, string>, value?: number): void;
}

export interface StageDefinition<Config = Record<string, never>, State = undefined, In extends TopicName = TopicName> {
  name: string;
  version: string;
  description: string;
  inputs: readonly In[];
  outputs: readonly TopicName[];
  /** zod schema of the stage's own environment variables, parsed once at start-up. */
  config?: z.ZodType<Config>;
  /** Records processed in parallel per partition batch; 1 keeps input order (stateful stages). */
  concurrency?: number;
  /** Builds long-lived state (indexes, caches, clients) before the first record. */
  setup?(ctx: Omit<StageContext<Config, State>, 'state'>): Promise<State> | State;
  /**
   * Domain logic, free of Kafka I/O: one input record in, output records out. Throw a retriable error for
   * transient trouble and anything else for a poison record (it goes to the DLQ). Must be safe to re-run on
   * the same record: an aborted transaction replays it.
   */
  process(record: InputRecord<In>, ctx: StageContext<Config, State>): Promise<OutputRecord[]> | OutputRecord[];
  /**
   * After each join of the consumer group: the input partitions this member now owns, by catalogue topic name
   * (e.g. to let go of state kept for partitions it no longer owns).
   */
  onAssignment?(partitions: Partial<Record<In, number[]>>, state: State): void;
  teardown?(state: State): Promise<void> | void;
}

/** Identity function that gives a stage module its types (after kafkajs' and Benthos' component factories). */
export function defineStage<Config = Record<string, never>, State = undefined, In extends TopicName = TopicName>(
  definition: StageDefinition<Config, State, In>,
): StageDefinition<Config, State, In> {
  return definition;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStage = StageDefinition<any, any, any>;
