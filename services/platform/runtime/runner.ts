import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pLimit from 'p-limit';
import { loadConfig, loadPlatformConfig, type PlatformConfig } from '../config.ts';
import { createSerde, type Serde } from '../avro/serde.ts';
import { topicCatalogue, TopicNames, type TopicCatalogue } from '../catalogue.ts';
import { FlywheelError, PoisonRecordError, errorCode, errorMessage, isRetriable } from '../errors.ts';
import { createKafka } from '../kafka/client.ts';
import { createLogger, type Logger } from '../logger.ts';
import { contentId, recordMeta } from '../records.ts';
import { deadLetter, headersToStrings } from './dead-letter.ts';
import { startHealthServer } from './health.ts';
import { StageMetrics } from './metrics.ts';
import { seededRandom } from './random.ts';
import { withRetry } from './retry.ts';
import type { AnyStage, InputRecord, OutputRecord, StageContext } from './stage.ts';
import { PartitionTransactor, type TransactionBatch } from './transaction.ts';
import { ProgressReporter } from './progress.ts';

export interface StartStageOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Consumer group; defaults to `<TOPIC_PREFIX>fw.<stage>`. */
  groupId?: string;
  /** Serve /healthz, /readyz, /metrics (default: true; HTTP_PORT=0 picks a free port). */
  http?: boolean;
  /** Log progress (records/s, lag, ETA) every this many ms; 0 disables. */
  progressEveryMs?: number;
}

export interface RunningStage {
  readonly name: string;
  readonly groupId: string;
  /** Catalogue names of the input topics. */
  readonly inputs: readonly string[];
  readonly metrics: StageMetrics;
  readonly httpPort?: number;
  ready(): boolean;
  /** The consumer crashed for good (kafkajs gave up restarting it): the process should exit non-zero. */
  failed(): boolean;
  /** No batch is being processed right now (for drain checks: a record in flight is not yet committed). */
  idle(): boolean;
  /** Resolves when the stage stopped (after `stop()` or a fatal crash). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

const ALWAYS_ALLOWED = new Set(['fw.drops', 'fw.dlq']);

/** Starts a stage: consume → decode → process → encode → produce + commit offsets in one transaction. */
export async function startStage(stage: AnyStage, options: StartStageOptions = {}): Promise<RunningStage> {
  const env = options.env ?? process.env;
  const platform = loadPlatformConfig(env);
  const stageConfig = stage.config ? loadConfig(stage.config, env) : {};
  const logger = (options.logger ?? createLogger({ level: platform.LOG_LEVEL })).child({ stage: stage.name });
  const runner = new StageRunner(stage, platform, stageConfig, logger, options);
  await runner.start();
  return runner;
}

class StageRunner implements RunningStage {
  readonly name: string;
  readonly groupId: string;
  readonly inputs: readonly string[];
  readonly metrics = new StageMetrics();
  httpPort?: number;
  readonly done: Promise<void>;

  private readonly names: TopicNames;
  private readonly catalogue: TopicCatalogue = topicCatalogue();
  private readonly kafka: Kafka;
  private readonly serde: Serde;
  private readonly consumer: Consumer;
  private readonly transactors = new Map<string, PartitionTransactor>();
  /** Per partition: the committed offset read right after fencing; records below it are already done. */
  private readonly floors = new Map<string, bigint>();
  private readonly admin: Admin;
  private readonly processTimer: ReturnType<StageMetrics['processSeconds']['labels']>;
  private readonly abort = new AbortController();
  private readonly progress: ProgressReporter;
  private context!: StageContext<unknown, unknown>;
  private joined = false;
  private batchesInProgress = 0;
  private crashed = false;
  private stopping?: Promise<void>;
  private resolveDone!: () => void;
  private server?: Awaited<ReturnType<typeof startHealthServer>>;

  constructor(
    private readonly stage: AnyStage,
    private readonly platform: PlatformConfig,
    private readonly stageConfig: unknown,
    private readonly logger: Logger,
    private readonly options: StartStageOptions,
  ) {
    this.name = stage.name;
    this.inputs = stage.inputs;
    this.names = new TopicNames(platform.TOPIC_PREFIX);
    this.groupId = options.groupId ?? this.names.physical(`fw.${stage.name}`);
    this.kafka = createKafka(platform, logger, stage.name);
    this.serde = createSerde({ schemaRegistryUrl: platform.SCHEMA_REGISTRY_URL });
    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 8, initialRetryTime: 300 },
    });
    this.admin = this.kafka.admin();
    this.processTimer = this.metrics.processSeconds.labels({ stage: stage.name });
    this.progress = new ProgressReporter(logger, options.progressEveryMs ?? 10000);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  ready(): boolean {
    return this.joined && !this.crashed && !this.stopping;
  }

  idle(): boolean {
    return this.batchesInProgress === 0;
  }

  failed(): boolean {
    return this.crashed;
  }

  async start(): Promise<void> {
    for (const t of [...this.stage.inputs, ...this.stage.outputs]) this.catalogue.get(t); // fail fast on unknown topics
    // health first: a long setup (building an index) must not look like a dead pod to a liveness probe
    if (this.options.http !== false) {
      this.server = await startHealthServer(this.platform.HTTP_PORT, { live: () => !this.crashed, ready: () => this.ready() }, this.metrics.registry);
      this.httpPort = this.server.port;
    }
    const baseContext = this.baseContext();
    const state = this.stage.setup ? await this.stage.setup(baseContext) : undefined;
    this.context = { ...baseContext, state };

    const { GROUP_JOIN, CRASH, REBALANCING } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.joined = true;
      this.releaseRevokedPartitions(e.payload.memberAssignment);
      this.logger.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'joined consumer group');
    });
    this.consumer.on(REBALANCING, () => (this.joined = false));
    this.consumer.on(CRASH, (e) => {
      this.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart) {
        this.crashed = true;
        void this.stop();
      }
    });
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.stage.inputs.map((t: string) => this.names.physical(t)), fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.platform.STAGE_PARTITIONS_CONCURRENTLY,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.progress.start();
    this.logger.info({ inputs: this.stage.inputs, outputs: this.stage.outputs, groupId: this.groupId, httpPort: this.httpPort }, 'stage started');
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      this.progress.stop();
      await this.consumer.disconnect().catch((err) => this.logger.warn({ err }, 'consumer disconnect failed'));
      await Promise.all([...this.transactors.values()].map((t) => t.disconnect().catch(() => undefined)));
      await this.admin.disconnect().catch(() => undefined);
      await this.stage.teardown?.(this.context?.state);
      await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
      this.logger.info(this.progress.summary(), 'stage stopped');
      this.resolveDone();
    })();
    return this.stopping;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    this.batchesInProgress++;
    // keep the group membership alive while slow records (LLM rollouts) are processed
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), 2000);
    try {
      await this.processBatch(payload);
    } finally {
      clearInterval(beat);
      this.batchesInProgress--;
    }
  }

  private async processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const logicalTopic = this.names.logical(batch.topic);
    const transactor = await this.transactorFor(batch.topic, batch.partition);
    const floor = this.floors.get(`${batch.topic}/${batch.partition}`) ?? -1n;
    this.logger.debug({ topic: batch.topic, partition: batch.partition, first: batch.firstOffset(), floor: floor.toString() }, 'batch');
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= floor);
    if (fresh.length < batch.messages.length) {
      this.logger.warn(
        { topic: batch.topic, partition: batch.partition, skipped: batch.messages.length - fresh.length, committed: floor.toString() },
        'skipping records the previous owner of this partition committed after this consumer read its offsets',
      );
      if (fresh.length === 0) {
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        return;
      }
    }
    this.metrics.lag.set({ stage: this.name, topic: logicalTopic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    this.progress.setLag(`${batch.topic}/${batch.partition}`, Number(batch.offsetLag()));
    const max = this.platform.STAGE_MAX_BATCH;
    for (let start = 0; start < fresh.length; start += max) {
      if (!isRunning() || isStale()) return;
      const chunk = fresh.slice(start, start + max);
      const messages = await this.processChunk(logicalTopic, batch.partition, chunk, heartbeat);
      const last = chunk[chunk.length - 1];
      const timer = this.metrics.transactionSeconds.startTimer({ stage: this.name });
      try {
        await transactor.commit({
          messages,
          offsets: { groupId: this.groupId, topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        });
      } catch (error) {
        this.metrics.transactions.inc({ stage: this.name, outcome: 'aborted' });
        // A failed commit may have left kafkajs' producer stuck mid-transaction, or may have committed after
        // all (a lost ack): start over with a fresh producer, which fences again and re-reads the offsets.
        this.dropTransactor(batch.topic, batch.partition);
        throw error; // kafkajs re-fetches from the last resolved offset
      } finally {
        timer();
      }
      this.metrics.transactions.inc({ stage: this.name, outcome: 'committed' });
      this.logger.debug({ topic: batch.topic, partition: batch.partition, from: chunk[0].offset, next: (BigInt(last.offset) + 1n).toString(), records: messages.length }, 'committed');
      this.countOutputs(messages);
      resolveOffset(last.offset);
      this.progress.add(chunk.length);
      const remaining = Number(batch.highWatermark) - Number(last.offset) - 1;
      this.progress.setLag(`${batch.topic}/${batch.partition}`, remaining);
      this.metrics.lag.set({ stage: this.name, topic: logicalTopic, partition: String(batch.partition) }, remaining);
      await heartbeat();
    }
  }

  /** Processes a chunk with bounded concurrency; returns the messages to write, in input order. */
  private async processChunk(topic: string, partition: number, chunk: KafkaMessage[], heartbeat: () => Promise<void>): Promise<TransactionBatch['messages']> {
    const limit = pLimit(this.stage.concurrency ?? this.platform.STAGE_CONCURRENCY);
    this.metrics.recordsIn.inc({ stage: this.name, topic }, chunk.length);
    this.metrics.inFlight.inc({ stage: this.name }, chunk.length);
    try {
      const results = await Promise.all(chunk.map((message) => limit(() => this.processMessage(topic, partition, message, heartbeat))));
      return results.flat();
    } finally {
      this.metrics.inFlight.dec({ stage: this.name }, chunk.length);
    }
  }

  private async processMessage(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<TransactionBatch['messages']> {
    const spec = this.catalogue.get(topic);
    const timer = this.processTimer.startTimer();
    const headers = headersToStrings(message.headers);
    try {
      let input: InputRecord;
      try {
        if (!message.value) throw new PoisonRecordError('empty message value (tombstone)');
        input = {
          topic: topic as InputRecord['topic'],
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: await this.serde.decode(message.value, spec.value, this.names.physical(topic)),
          headers,
          timestamp: message.timestamp,
        };
      } catch (error) {
        return [await this.toDeadLetter(topic, partition, message, headers, error, 1)];
      }
      const outcome = await withRetry(
        async () => this.encodeOutputs(await this.stage.process(input, this.context)),
        { retries: this.platform.STAGE_MAX_RETRIES, initialMs: this.platform.STAGE_RETRY_INITIAL_MS, maxMs: this.platform.STAGE_RETRY_MAX_MS },
        {
          signal: this.abort.signal,
          onRetry: async (error, attempt, delayMs) => {
            this.metrics.retries.inc({ stage: this.name });
            this.logger.warn({ err: error, topic, partition, offset: message.offset, attempt, delayMs }, 'transient failure, retrying');
            await heartbeat().catch(() => undefined);
          },
        },
      );
      if (outcome.error === undefined) return outcome.value!;
      if (this.abort.signal.aborted && isRetriable(outcome.error)) {
        // shutting down mid-retry: leave the record uncommitted for the next owner rather than dead-letter it
        throw new FlywheelError('SHUTDOWN', `stage ${this.name} stopped while retrying ${topic}/${partition}@${message.offset}`, { cause: outcome.error });
      }
      return [await this.toDeadLetter(topic, partition, message, headers, outcome.error, outcome.attempts)];
    } finally {
      timer();
    }
  }

  private async encodeOutputs(outputs: OutputRecord[]): Promise<TransactionBatch['messages']> {
    return Promise.all(
      outputs.map(async (out) => {
        if (!this.stage.outputs.includes(out.topic) && !ALWAYS_ALLOWED.has(out.topic)) {
          throw new FlywheelError('UNDECLARED_OUTPUT', `stage ${this.name} wrote to ${out.topic}, which is not among its outputs`);
        }
        const spec = this.catalogue.get(out.topic);
        const physical = this.names.physical(out.topic);
        const key = out.key ?? String((out.value as unknown as Record<string, unknown>)[spec.key] ?? '');
        return { topic: physical, key, value: await this.serde.encode(spec.value, out.value, physical), headers: out.headers };
      }),
    );
  }

  private async toDeadLetter(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>, error: unknown, attempts: number) {
    this.metrics.deadLettered.inc({ stage: this.name, code: errorCode(error) });
    this.logger.warn({ topic, partition, offset: message.offset, code: errorCode(error), error: errorMessage(error), attempts }, 'record dead-lettered');
    const letter = deadLetter({
      stage: this.name,
      topic: this.names.physical(topic),
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value ?? null,
      headers,
      error,
      attempts,
    });
    const dlqTopic = this.names.physical('fw.dlq');
    return { topic: dlqTopic, key: letter.value.id, value: await this.serde.encode('fw.DeadLetter', letter.value, dlqTopic), headers: letter.headers };
  }

  private countOutputs(messages: TransactionBatch['messages']): void {
    const perTopic = new Map<string, number>();
    for (const m of messages) perTopic.set(m.topic, (perTopic.get(m.topic) ?? 0) + 1);
    for (const [topic, n] of perTopic) this.metrics.recordsOut.inc({ stage: this.name, topic: this.names.logical(topic) }, n);
  }

  private async transactorFor(topic: string, partition: number): Promise<PartitionTransactor> {
    const key = `${topic}/${partition}`;
    let transactor = this.transactors.get(key);
    if (!transactor) {
      transactor = new PartitionTransactor(this.kafka, `${this.groupId}-${topic}-${partition}`);
      this.transactors.set(key, transactor);
      try {
        await transactor.connect();
        // Connecting fenced the partition's previous owner and let its open transaction finish. Its offsets may
        // have moved past what this consumer fetched when it joined: read them again, now that they are final.
        const floor = await this.committedOffset(topic, partition);
        this.floors.set(key, floor);
        this.logger.info({ topic, partition, committed: floor.toString() }, 'partition producer fenced its previous owner');
      } catch (error) {
        this.transactors.delete(key);
        throw error;
      }
    }
    return transactor;
  }

  /**
   * The group's committed offset for a partition once it has settled. The group coordinator applies the
   * offsets of a transaction that just completed (the previous owner's last one, which fencing let finish)
   * asynchronously, and kafkajs cannot ask for stable offsets (OffsetFetch require_stable), so read until the
   * value has not changed for a full second. This runs once per partition acquisition, not per batch.
   */
  private async committedOffset(topic: string, partition: number): Promise<bigint> {
    const read = async () => {
      const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
      return BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
    };
    let value = await read();
    let stableSince = Date.now();
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && Date.now() - stableSince < 1000; ) {
      await sleep(200);
      const current = await read();
      if (current !== value) {
        value = current;
        stableSince = Date.now();
      }
    }
    return value;
  }

  /** Producers of partitions this member no longer owns are closed; their new owner fences them anyway. */
  private releaseRevokedPartitions(assignment: Record<string, number[]>): void {
    for (const key of [...this.transactors.keys()]) {
      const [topic, partition] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      if (!assignment[topic]?.includes(partition)) this.dropTransactor(topic, partition);
    }
  }

  private dropTransactor(topic: string, partition: number): void {
    const key = `${topic}/${partition}`;
    void this.transactors.get(key)?.disconnect().catch(() => undefined);
    this.transactors.delete(key);
    this.floors.delete(key);
  }

  private baseContext(): Omit<StageContext<unknown, unknown>, 'state'> {
    const producer = { service: this.stage.name, version: this.stage.version, instance: this.platform.INSTANCE_ID };
    const round = this.platform.FLYWHEEL_ROUND;
    return {
      stage: this.stage.name,
      config: this.stageConfig,
      platform: this.platform,
      logger: this.logger,
      metrics: this.metrics,
      round,
      producer,
      signal: this.abort.signal,
      meta: (id, parents) => recordMeta({ id, round, producer, parents }),
      drop: (reason, subjectId, detail = '', parents) => {
        this.metrics.drops.inc({ stage: this.stage.name, reason });
        return {
          topic: 'fw.drops' as const,
          value: {
            ...recordMeta({ id: contentId('drop', this.stage.name, reason, subjectId), round, producer, parents: parents ?? [subjectId] }),
            stage: this.stage.name,
            reason,
            subject_id: subjectId,
            detail,
          },
        };
      },
      random: (key) => seededRandom(`${this.stage.name}:${key}`),
    };
  }
}
