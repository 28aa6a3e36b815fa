import type { Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { StableOffsetReader } from '../kafka/stable-offsets.ts';
import { describePartition, PartitionMap, type TopicPartition } from './topic-partition.ts';
import { PartitionTransactor, type OutputMessage } from './transaction.ts';

/**
 * Ownership of one input partition's output: its transactional producer, and the offset below which every input
 * record is already done. The single owner of transaction recovery: acquiring fences the partition's previous
 * owner (its open transaction is aborted or completed), then reads the group's committed offset with
 * require_stable, which the broker answers only once no transaction holds offsets for the partition. After any
 * failed commit — which may have committed after all, if only the ack was lost — the owner starts over:
 * a new producer fences again and the floor is read again, so nothing is written twice.
 */
export class PartitionOwner {
  private transactor?: PartitionTransactor;
  private acquiring?: Promise<PartitionTransactor>;
  /** Counts releases: an acquisition that sees it change was overtaken by a release and keeps nothing. */
  private releases = 0;
  /** Committed offset read after fencing (-1: none); input records below it were already processed. */
  floor = -1n;

  constructor(
    private readonly kafka: Kafka,
    private readonly offsets: StableOffsetReader,
    private readonly groupId: string,
    readonly tp: TopicPartition,
    private readonly logger: Logger,
  ) {}

  /** Fences the previous owner and reads the settled committed offset (once, and again after a failed commit). */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.transactor?.usable) return;
    const releases = this.releases;
    this.acquiring ??= (async () => {
      await this.transactor?.disconnect().catch(() => undefined);
      const transactor = new PartitionTransactor(this.kafka, `${this.groupId}-${this.tp.topic}-${this.tp.partition}`);
      try {
        await transactor.connect();
        const [committed] = await this.offsets.fetch(this.groupId, this.tp.topic, [this.tp.partition], signal);
        this.floor = committed?.offset ?? -1n;
        // released while acquiring (a rebalance took the partition away): keep no producer for it
        if (this.releases !== releases) throw new Error(`${describePartition(this.tp)} was released while being acquired`);
      } catch (error) {
        await transactor.disconnect().catch(() => undefined);
        throw error;
      }
      this.logger.info({ partition: describePartition(this.tp), committed: this.floor.toString() }, 'partition acquired: previous owner fenced, committed offset stable');
      return transactor;
    })().finally(() => (this.acquiring = undefined));
    this.transactor = await this.acquiring;
  }

  /** Writes `messages` and commits `nextOffset` for the input partition, atomically. */
  async commit(messages: OutputMessage[], nextOffset: bigint): Promise<void> {
    if (!this.transactor?.usable) throw new Error(`${describePartition(this.tp)} is not acquired`);
    await this.transactor.commit({ messages, offsets: { groupId: this.groupId, topic: this.tp.topic, partition: this.tp.partition, offset: nextOffset.toString() } });
    this.floor = nextOffset;
  }

  async release(): Promise<void> {
    this.releases++;
    const transactor = this.transactor;
    this.transactor = undefined;
    await transactor?.disconnect().catch(() => undefined);
  }
}

/** The partition owners of one consumer group member. */
export class TransactionalOutput {
  private readonly owners = new PartitionMap<PartitionOwner>();

  constructor(
    private readonly kafka: Kafka,
    private readonly offsets: StableOffsetReader,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {}

  /** The acquired owner of `tp` (fencing its previous owner on first use). */
  async owner(tp: TopicPartition, signal?: AbortSignal): Promise<PartitionOwner> {
    let owner = this.owners.get(tp);
    if (!owner) {
      owner = new PartitionOwner(this.kafka, this.offsets, this.groupId, tp, this.logger);
      this.owners.set(tp, owner);
    }
    await owner.acquire(signal);
    return owner;
  }

  /**
   * Acquires every assigned partition now, in the background: fencing and the stable offset read take a few round
   * trips per partition (0.1-0.3 s under load), which would otherwise hold up the first batch of each partition,
   * once per stage of a pipeline. A failure here is left to the first batch, whose `owner()` tries again.
   */
  acquireAll(assignment: Record<string, number[]>, signal?: AbortSignal): void {
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        this.owner({ topic, partition }, signal).catch((err) => this.logger.debug({ err, topic, partition }, 'early partition acquisition failed; retried at its first batch'));
      }
    }
  }

  /** Releases the partitions this member no longer owns; their next owner fences them anyway. */
  retainOnly(assignment: Record<string, number[]>): void {
    for (const [tp, owner] of this.owners) {
      if (assignment[tp.topic]?.includes(tp.partition)) continue;
      void owner.release();
      this.owners.delete(tp);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.owners.values().map((o) => o.release()));
    await this.offsets.disconnect();
  }
}
