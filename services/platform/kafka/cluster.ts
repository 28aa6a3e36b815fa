import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Serde } from '../avro/serde.ts';
import type { TopicCatalogue, TopicNames } from '../catalogue.ts';
import type { PlatformConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { waitForDrain, type DrainOptions, type GroupInputs } from '../runtime/drain.ts';
import { listDeadLetters, redriveDeadLetters, type DeadLetterEntry, type RedriveResult } from '../runtime/redrive.ts';
import { createKafka } from './client.ts';
import { readTopic, type TailOptions, type TailRecord } from './tail.ts';
import { ensureTopics } from './topics.ts';

export interface PartitionOffsets {
  partition: number;
  /** First offset still held. */
  low: bigint;
  /** End offset as read_committed sees it (the last stable offset). */
  high: bigint;
}

export interface GroupPosition {
  groupId: string;
  topic: string;
  partition: number;
  committed: bigint;
  end: bigint;
}

/** A record to produce; `partition` unset = by key. */
export interface OutgoingRecord {
  key: string | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
  partition?: number;
}

export interface PlainProducer {
  /** Sends records (idempotent, acks from all in-sync replicas); records of one call may go in one request. */
  send(batches: Array<{ topic: string; records: OutgoingRecord[] }>): Promise<void>;
  close(): Promise<void>;
}

/**
 * What code outside the platform may do with the Kafka cluster: topic and group administration, offsets,
 * reading a topic to its end, producing plainly, waiting for groups to drain and redriving dead letters. The
 * client library stays behind this class; `client` and `withAdmin` are for platform modules only.
 */
export class KafkaCluster {
  /** `topicReplication`: TOPIC_REPLICATION_FACTOR, the replication of the topics `ensureTopics` creates. */
  constructor(
    readonly client: Kafka,
    private readonly topicReplication?: number,
  ) {}

  static fromConfig(config: PlatformConfig, logger: Logger, clientSuffix = ''): KafkaCluster {
    return new KafkaCluster(createKafka(config, logger, clientSuffix), config.TOPIC_REPLICATION_FACTOR);
  }

  /** Runs `fn` with an admin connection of its own (nothing stays open between calls); for platform modules. */
  async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.client.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  listTopics(): Promise<string[]> {
    return this.withAdmin((admin) => admin.listTopics());
  }

  async deleteTopics(topics: string[]): Promise<void> {
    if (topics.length) await this.withAdmin((admin) => admin.deleteTopics({ topics }));
  }

  /**
   * Deletes every topic whose name starts with `prefix` and returns once no broker lists one any more: a topic
   * created just before may be missing from the first listing, and a deleted one may linger in the next.
   */
  async deleteTopicsWithPrefix(prefix: string, deadlineMs = 30_000): Promise<void> {
    if (!prefix) throw new Error('deleteTopicsWithPrefix needs a non-empty prefix');
    await this.withAdmin(async (admin) => {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        const left = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
        if (left.length === 0) {
          // the listing can lag a creation: look once more before calling it done
          await sleep(250);
          if ((await admin.listTopics()).every((t) => !t.startsWith(prefix))) return;
          continue;
        }
        if (Date.now() > deadline) throw new Error(`topics still listed ${deadlineMs} ms after their deletion: ${left.join(', ')}`);
        await admin.deleteTopics({ topics: left }).catch(() => undefined); // already going: the next listing tells
        await sleep(250);
      }
    });
  }

  /** Creates every catalogue topic (or those in `only`) that does not exist yet; returns the names it created. */
  ensureTopics(catalogue: TopicCatalogue, names: TopicNames, only?: string[]): Promise<string[]> {
    return this.withAdmin((admin) => ensureTopics(admin, catalogue, names, only, this.topicReplication));
  }

  /** First and end offsets of each partition of `topics`, over one admin connection (topics that do not exist are left out). */
  offsetsOf(topics: string[]): Promise<Map<string, PartitionOffsets[]>> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const result = new Map<string, PartitionOffsets[]>();
      for (const topic of topics) {
        if (existing.has(topic)) result.set(topic, partitionOffsets(await admin.fetchTopicOffsets(topic)));
      }
      return result;
    });
  }

  /** For each group, each partition it has committed on: committed offset (-1: none) and the partition's end; one admin session. */
  groupPositions(groupIds: string[]): Promise<GroupPosition[]> {
    return this.withAdmin(async (admin) => {
      const ends = new Map<string, Map<number, bigint>>();
      const rows: GroupPosition[] = [];
      for (const groupId of groupIds) {
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
          let end = ends.get(topic);
          if (!end) ends.set(topic, (end = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]))));
          for (const p of partitions) rows.push({ groupId, topic, partition: p.partition, committed: BigInt(p.offset), end: end.get(p.partition) ?? 0n });
        }
      }
      return rows;
    });
  }

  async listGroups(): Promise<string[]> {
    return (await this.withAdmin((admin) => admin.listGroups())).groups.map((g) => g.groupId);
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.withAdmin((admin) => admin.deleteGroups(groupIds));
  }

  /** Every committed record of `topic` up to its end when the read starts; a topic that does not exist has none. */
  readTopic(topic: string, options?: Omit<TailOptions, 'follow' | 'onRecords'>): Promise<TailRecord[]> {
    return readTopic(this.client, topic, options);
  }

  /** A non-transactional idempotent producer, connected on first send. */
  producer(): PlainProducer {
    let connected: Promise<Producer> | undefined;
    const open = () =>
      (connected ??= (async () => {
        const producer = this.client.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        return producer;
      })());
    return {
      async send(batches) {
        const topicMessages = batches.filter((b) => b.records.length).map((b) => ({ topic: b.topic, messages: b.records }));
        if (topicMessages.length) await (await open()).sendBatch({ topicMessages, acks: -1 });
      },
      async close() {
        if (connected) await (await connected).disconnect();
      },
    };
  }

  /** Waits until every group has consumed its topics to the end (see runtime/drain.ts). */
  waitForDrain(groups: GroupInputs[], options: Omit<DrainOptions, 'kafka'> = {}): Promise<void> {
    return this.withAdmin((admin) => waitForDrain(admin, groups, { ...options, kafka: this.client }));
  }

  listDeadLetters(names: TopicNames, serde: Serde): Promise<DeadLetterEntry[]> {
    return listDeadLetters(this.client, names, serde);
  }

  redriveDeadLetters(names: TopicNames, serde: Serde, filter?: Parameters<typeof redriveDeadLetters>[4]): Promise<RedriveResult> {
    return this.withAdmin((admin) => redriveDeadLetters(this.client, admin, names, serde, filter));
  }
}

function partitionOffsets(offsets: Array<{ partition: number; low: string; high: string }>): PartitionOffsets[] {
  return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })).sort((a, b) => a.partition - b.partition);
}
