import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Readiness } from './readiness.ts';
import type { TopicPartition } from './topic-partition.ts';

export interface InputBatch {
  readonly tp: TopicPartition;
  readonly messages: KafkaMessage[];
  readonly highWatermark: bigint;
  /** False once the partition was revoked or the input is stopping: stop working on the batch. */
  active(): boolean;
  /** Marks everything up to `offset` as handled (the consumer's position, not a commit). */
  resolve(offset: string): void;
  heartbeat(): Promise<void>;
}

export interface PartitionInputOptions {
  groupId: string;
  topics: string[];
  partitionsConcurrently: number;
  logger: Logger;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /** Partitions assigned to this member after each join (to release the others). */
  onAssignment?(assignment: Record<string, number[]>): void;
  /** The consumer crashed and will not restart. */
  onFatal?(error: unknown): void;
  /** Told of joins, rebalances and restarts (what /readyz reports). */
  readiness?: Readiness;
}

const HEARTBEAT_MS = 2000;

/**
 * A consumer group member over the input topics (read_committed, offsets never auto-committed): group membership
 * and readiness, and heartbeats while a slow batch is being handled, so that a batch of LLM rollouts does not
 * cost the member its partitions.
 */
export class PartitionInput {
  private readonly consumer: Consumer;
  private joined = false;
  /** performance.now() of the last join (fetching starts right after it). */
  joinedAt?: number;
  private crashed = false;
  private stopped = false;
  private batches = 0;

  constructor(
    kafka: Kafka,
    private readonly options: PartitionInputOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: options.maxBytes,
      retry: { retries: 8, initialRetryTime: 300 },
    });
  }

  /** Member of the group with an assignment, and neither crashed nor stopping. */
  ready(): boolean {
    return this.joined && !this.crashed && !this.stopped;
  }

  failed(): boolean {
    return this.crashed;
  }

  /** No batch is being handled right now. */
  idle(): boolean {
    return this.batches === 0;
  }

  async start(handle: (batch: InputBatch) => Promise<void>): Promise<void> {
    const { GROUP_JOIN, CRASH, REBALANCING, REQUEST_TIMEOUT } = this.consumer.events;
    const readiness = this.options.readiness;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.joined = true;
      this.joinedAt = performance.now();
      readiness?.joined();
      this.options.onAssignment?.(e.payload.memberAssignment);
      this.options.logger.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'joined consumer group');
    });
    this.consumer.on(REBALANCING, () => {
      this.joined = false;
      readiness?.unready('rebalancing');
    });
    // a broker cut off by the network refuses nothing: its requests just time out (requestTimeout, 30 s)
    this.consumer.on(REQUEST_TIMEOUT, (e) => readiness?.brokerUnreachable(String(e.payload.broker)));
    this.consumer.on(CRASH, (e) => {
      this.options.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      // kafkajs reconnects and joins again (or gives up): either way not a member until GROUP_JOIN
      this.joined = false;
      readiness?.unready(e.payload.restart ? 'restarting' : 'crashed');
      if (!e.payload.restart) {
        this.crashed = true;
        this.options.onFatal?.(e.payload.error);
      }
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.onBatch(payload, handle),
    });
  }

  /** Commits offsets outside a transaction (for at-least-once consumers such as the analytics sink). */
  commitOffsets(offsets: Array<TopicPartition & { offset: string }>): Promise<void> {
    return this.consumer.commitOffsets(offsets);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.readiness?.unready('stopping');
    await this.consumer.disconnect().catch((err) => this.options.logger.warn({ err }, 'consumer disconnect failed'));
  }

  private async onBatch(payload: EachBatchPayload, handle: (batch: InputBatch) => Promise<void>): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    this.batches++;
    const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
    try {
      await handle({
        tp: { topic: batch.topic, partition: batch.partition },
        messages: batch.messages,
        highWatermark: BigInt(batch.highWatermark),
        active: () => isRunning() && !isStale() && !this.stopped,
        resolve: resolveOffset,
        heartbeat,
      });
    } finally {
      clearInterval(beat);
      this.batches--;
    }
  }
}
