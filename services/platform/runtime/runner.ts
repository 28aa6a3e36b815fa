import { setTimeout as sleep } from 'node:timers/promises';
import { createSerde } from '../avro/serde.ts';
import { topicCatalogue, TopicNames } from '../catalogue.ts';
import { loadConfig, loadPlatformConfig, type PlatformConfig } from '../config.ts';
import { createKafka } from '../kafka/client.ts';
import { StableOffsetReader } from '../kafka/stable-offsets.ts';
import type { LlmClient } from '../llm/types.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createStageContext } from './context.ts';
import { startHealthServer } from './health.ts';
import { StageMetrics } from './metrics.ts';
import { PartitionInput, type InputBatch } from './partition-input.ts';
import { TransactionalOutput, type PartitionOwner } from './partition-owner.ts';
import { ProgressReporter } from './progress.ts';
import { Readiness } from './readiness.ts';
import { RecordPipeline } from './record-pipeline.ts';
import type { AnyStage, StageContext } from './stage.ts';
import { describePartition } from './topic-partition.ts';
import type { OutputMessage } from './transaction.ts';

export interface StartStageOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Consumer group; defaults to `<TOPIC_PREFIX>fw.<stage>`. */
  groupId?: string;
  /** Serve /healthz, /readyz, /metrics (default: true; HTTP_PORT=0 picks a free port). */
  http?: boolean;
  /** Log progress (records/s, lag, ETA) every this many ms; 0 disables. */
  progressEveryMs?: number;
  /** The client `ctx.llm()` hands out, instead of one built from the environment (tests against a fake server). */
  llm?: LlmClient;
}

export interface RunningStage {
  readonly name: string;
  readonly groupId: string;
  /** Catalogue names of the input topics. */
  readonly inputs: readonly string[];
  readonly metrics: StageMetrics;
  readonly httpPort?: number;
  ready(): boolean;
  /** The consumer crashed for good, or shutdown ran past its deadline: the process should exit non-zero. */
  failed(): boolean;
  /** No batch is being processed right now (for drain checks: a record in flight is not yet committed). */
  idle(): boolean;
  /** Resolves when the stage stopped (after `stop()` or a fatal crash). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts a stage: consume → decode → process → encode → produce + commit offsets in one transaction. */
export async function startStage(stage: AnyStage, options: StartStageOptions = {}): Promise<RunningStage> {
  const env = options.env ?? process.env;
  const platform = loadPlatformConfig(env);
  const stageConfig = stage.config ? loadConfig(stage.config, env) : {};
  const logger = (options.logger ?? createLogger({ level: platform.LOG_LEVEL })).child({ stage: stage.name });
  const runner = new StageRunner(stage, env, platform, stageConfig, logger, options);
  await runner.start();
  return runner;
}

/**
 * Lifecycle of one stage: health first, then setup, then the three parts — partition input (group membership,
 * heartbeats), record pipeline (decode → process → encode or dead-letter) and transactional output (fencing,
 * stable offsets, commits) — and a bounded shutdown.
 */
class StageRunner implements RunningStage {
  readonly name: string;
  readonly groupId: string;
  readonly inputs: readonly string[];
  readonly metrics = new StageMetrics();
  httpPort?: number;
  readonly done: Promise<void>;

  private readonly names: TopicNames;
  private readonly input: PartitionInput;
  private readonly output: TransactionalOutput;
  private readonly pipeline: RecordPipeline;
  private readonly abort = new AbortController();
  private readonly progress: ProgressReporter;
  private readonly readiness: Readiness;
  /** Lag gauge labels by partition: a partition this member no longer owns must not keep reporting its last lag. */
  private readonly lagLabels = new Map<string, { stage: string; topic: string; partition: string }>();
  private readonly base: ReturnType<typeof createStageContext>;
  private readonly transactionSeconds: ReturnType<StageMetrics['transactionSeconds']['labels']>;
  private context!: StageContext<unknown, unknown>;
  private timedOut = false;
  private stopping?: Promise<void>;
  private resolveDone!: () => void;
  private server?: Awaited<ReturnType<typeof startHealthServer>>;

  constructor(
    private readonly stage: AnyStage,
    env: NodeJS.ProcessEnv,
    private readonly platform: PlatformConfig,
    stageConfig: unknown,
    private readonly logger: Logger,
    private readonly options: StartStageOptions,
  ) {
    this.name = stage.name;
    this.inputs = stage.inputs;
    this.names = new TopicNames(platform.TOPIC_PREFIX);
    this.groupId = options.groupId ?? this.names.physical(`fw.${stage.name}`);
    this.readiness = new Readiness(stage.name, this.metrics, logger);
    const kafka = createKafka(platform, logger, stage.name, { onConnectionError: (broker) => this.readiness.brokerUnreachable(broker) });
    const catalogue = topicCatalogue();
    for (const t of [...stage.inputs, ...stage.outputs]) catalogue.get(t); // fail fast on unknown topics
    this.input = new PartitionInput(kafka, {
      groupId: this.groupId,
      topics: stage.inputs.map((t: string) => this.names.physical(t)),
      partitionsConcurrently: platform.STAGE_PARTITIONS_CONCURRENTLY,
      logger,
      onAssignment: (assignment) => {
        this.output.retainOnly(assignment);
        this.output.acquireAll(assignment, this.abort.signal);
        this.forgetLag(assignment);
        if (this.context) this.stage.onAssignment?.(Object.fromEntries(Object.entries(assignment).map(([t, p]) => [this.names.logical(t), p])), this.context.state);
      },
      onFatal: () => void this.stop(),
      readiness: this.readiness,
    });
    this.output = new TransactionalOutput(kafka, new StableOffsetReader(kafka), this.groupId, logger);
    const serde = createSerde({ schemaRegistryUrl: platform.SCHEMA_REGISTRY_URL });
    this.pipeline = new RecordPipeline({ stage, serde, catalogue, names: this.names, platform, metrics: this.metrics, logger, signal: this.abort.signal });
    this.base = createStageContext({ stage, env, platform, config: stageConfig, logger, metrics: this.metrics, signal: this.abort.signal, llm: options.llm });
    this.transactionSeconds = this.metrics.transactionSeconds.labels({ stage: stage.name });
    this.progress = new ProgressReporter(logger, options.progressEveryMs ?? 10000);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  ready(): boolean {
    return this.input.ready() && this.readiness.ready() && !this.stopping;
  }

  idle(): boolean {
    return this.input.idle();
  }

  failed(): boolean {
    return this.input.failed() || this.timedOut;
  }

  async start(): Promise<void> {
    // health first: a long setup (building an index) must not look like a dead pod to a liveness probe
    if (this.options.http !== false) {
      this.server = await startHealthServer(this.platform.HTTP_PORT, { live: () => !this.input.failed(), ready: () => this.ready() }, this.metrics.registry);
      this.httpPort = this.server.port;
    }
    const state = this.stage.setup ? await this.stage.setup(this.base) : undefined;
    this.context = { ...this.base, state };
    await this.input.start((batch) => this.handle(batch));
    this.progress.start();
    this.logger.info({ inputs: this.stage.inputs, outputs: this.stage.outputs, groupId: this.groupId, httpPort: this.httpPort }, 'stage started');
  }

  /** Drains the current batch and leaves the group; past STAGE_SHUTDOWN_TIMEOUT_MS gives up (failed() turns true). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      this.progress.stop();
      this.readiness.unready('stopping');
      const graceful = (async () => {
        await this.input.stop();
        await this.output.close();
        await this.stage.teardown?.(this.context?.state);
        await this.base.close();
      })();
      const deadline = sleep(this.platform.STAGE_SHUTDOWN_TIMEOUT_MS, 'timeout' as const, { ref: false });
      if ((await Promise.race([graceful.then(() => 'done' as const), deadline])) === 'timeout') {
        this.timedOut = true;
        this.logger.error({ timeoutMs: this.platform.STAGE_SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; uncommitted work is left to the next owner of each partition');
      }
      await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
      this.readiness.close();
      this.logger.info(this.progress.summary(), 'stage stopped');
      this.resolveDone();
    })();
    return this.stopping;
  }

  /**
   * One fetched batch of a partition, in chunks of STAGE_MAX_BATCH records, one transaction each. The next chunk is
   * decoded, processed and encoded while the current one's transaction is in flight (records are still processed in
   * input order, and only a committed transaction writes anything); if a commit fails, the prepared chunk is dropped
   * and the records are read again from the last committed offset.
   */
  private async handle(batch: InputBatch): Promise<void> {
    const { tp, messages } = batch;
    const owner = await this.output.owner(tp, this.abort.signal);
    // offsets within a batch increase: the records the previous owner already committed are a prefix
    let from = 0;
    while (from < messages.length && BigInt(messages[from].offset) < owner.floor) from++;
    if (from > 0) {
      this.logger.info({ partition: describePartition(tp), skipped: from, committed: owner.floor.toString() }, 'skipping records the previous owner already committed');
      if (from === messages.length) return batch.resolve(messages[messages.length - 1].offset);
    }
    const topic = this.names.logical(tp.topic);
    const partition = describePartition(tp);
    const lagLabels = { stage: this.name, topic, partition: String(tp.partition) };
    this.lagLabels.set(`${tp.topic}:${tp.partition}`, lagLabels);
    const setLag = (next: bigint) => {
      const lag = Math.max(0, Number(batch.highWatermark - next));
      this.metrics.lag.set(lagLabels, lag);
      this.progress.setLag(partition, lag);
    };
    setLag(BigInt(messages[from].offset));
    const max = this.platform.STAGE_MAX_BATCH;
    const prepare = (start: number) => {
      const chunk = messages.slice(start, start + max);
      const outputs = this.pipeline.chunk(topic, tp.partition, chunk, this.context, batch.heartbeat);
      outputs.catch(() => undefined); // awaited below, unless an earlier commit failed first
      return { chunk, outputs };
    };
    let prepared = prepare(from);
    try {
      for (let start = from; start < messages.length; start += max) {
        const { chunk } = prepared;
        const outputs = await prepared.outputs;
        if (!batch.active()) return;
        if (start + max < messages.length) prepared = prepare(start + max);
        const last = chunk[chunk.length - 1];
        const next = BigInt(last.offset) + 1n;
        await this.commit(owner, outputs, next);
        this.logger.debug({ partition, from: chunk[0].offset, next: next.toString(), records: outputs.length }, 'committed');
        batch.resolve(last.offset);
        this.progress.add(chunk.length);
        setLag(next);
        await batch.heartbeat();
      }
    } finally {
      // never leave a chunk being processed behind the batch (a teardown may follow); its outputs are dropped
      await prepared.outputs.catch(() => undefined);
    }
  }

  private async commit(owner: PartitionOwner, outputs: OutputMessage[], next: bigint): Promise<void> {
    const began = performance.now();
    try {
      await owner.commit(outputs, next);
    } catch (error) {
      this.metrics.transactions.inc({ stage: this.name, outcome: 'aborted' });
      throw error; // kafkajs re-fetches from the last resolved offset; the owner fences and re-reads before that
    } finally {
      this.transactionSeconds.observe((performance.now() - began) / 1000);
    }
    this.metrics.transactions.inc({ stage: this.name, outcome: 'committed' });
    this.countOutputs(outputs);
  }

  private forgetLag(assignment: Record<string, number[]>): void {
    for (const [key, labels] of this.lagLabels) {
      const [topic, partition] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
      if (assignment[topic]?.includes(partition)) continue;
      this.metrics.lag.remove(labels);
      this.lagLabels.delete(key);
    }
  }

  private countOutputs(messages: Array<{ topic: string }>): void {
    const perTopic = new Map<string, number>();
    for (const m of messages) perTopic.set(m.topic, (perTopic.get(m.topic) ?? 0) + 1);
    for (const [topic, n] of perTopic) this.metrics.recordsOut.inc({ stage: this.name, topic: this.names.logical(topic) }, n);
  }
}
