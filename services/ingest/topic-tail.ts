import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { createSerde } from '../platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../platform/catalogue.ts';
import type { PlatformConfig } from '../platform/config.ts';
import type { TopicName, TopicValues } from '../platform/generated/records.ts';
import { createKafka } from '../platform/kafka/client.ts';
import { readTopic } from '../platform/kafka/reader.ts';
import type { Logger } from '../platform/logger.ts';

export interface TopicTailOptions<T extends TopicName> {
  platform: PlatformConfig;
  logger: Logger;
  topic: T;
  onValue(value: TopicValues[T], key: string | null): void;
  /** A tombstone (null value) on a compacted topic: the key was removed. */
  onTombstone?(key: string | null): void;
  /** Counts as caught up after this long without a message (transaction markers hold offsets no consumer sees). */
  idleMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads a (usually compacted) state topic from the beginning, read_committed, into the caller's in-memory
 * state; `open` resolves once the topic has been read to its end as of start-up, then the tail keeps applying
 * what other instances commit. This is how stateful stages rebuild their state after a restart or rebalance
 * without a local store: the topic is the store. (A candidate for services/platform/kafka.)
 */
export class TopicTail {
  private constructor(
    private readonly consumer: Consumer,
    private readonly groupId: string,
    private readonly deleteGroup: () => Promise<void>,
    readonly loaded: number,
  ) {}

  static async open<T extends TopicName>(options: TopicTailOptions<T>): Promise<TopicTail> {
    const names = new TopicNames(options.platform.TOPIC_PREFIX);
    const physical = names.physical(options.topic);
    const spec = topicCatalogue().get(options.topic);
    const serde = createSerde({ schemaRegistryUrl: options.platform.SCHEMA_REGISTRY_URL });
    const kafka = createKafka(options.platform, options.logger, 'tail');
    const admin = kafka.admin();
    await admin.connect();
    const offsets = (await admin.fetchTopicOffsets(physical)).filter((o) => BigInt(o.high) > BigInt(o.low));
    // Caught up = past the last data record of every partition. A partition written by several transactional
    // producers ends in several commit markers (never delivered), so find the last data offset by reading a
    // short tail; a partition whose tail holds no data falls back to "no message for idleMs".
    const lastData = await lastDataOffsets(kafka, physical, offsets);
    const groupId = `${options.platform.TOPIC_PREFIX}fw-tail-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200, sessionTimeout: 30000 });
    let loaded = 0;
    let lastAt = Date.now();
    let joined = false;
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const pending = new Set(offsets.map((o) => o.partition).filter((p) => lastData.get(p) !== -1n));
    if (pending.size === 0) markReady();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
      lastAt = Date.now();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: physical, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (m.value) {
            options.onValue(await serde.decode<TopicValues[T]>(m.value, spec.value, physical), m.key?.toString('utf8') ?? null);
            loaded++;
          } else options.onTombstone?.(m.key?.toString('utf8') ?? null);
          lastAt = Date.now();
          const last = lastData.get(batch.partition);
          if (last !== undefined && BigInt(m.offset) >= last) pending.delete(batch.partition);
        }
        if (pending.size === 0) markReady();
      },
    });
    const idleMs = options.idleMs ?? 1500;
    const timer = setInterval(() => {
      // only partitions whose last data offset is unknown may end on a quiet period
      if (joined && Date.now() - lastAt > idleMs && [...pending].every((p) => !lastData.has(p))) markReady();
    }, 100);
    await ready;
    clearInterval(timer);
    options.logger.info({ topic: options.topic, records: loaded }, 'state loaded from topic');
    const deleteGroup = async () => {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    };
    return new TopicTail(consumer, groupId, deleteGroup, loaded);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.deleteGroup();
  }
}

const TAIL_WINDOW = 64n;

/**
 * The offset of the last data record of each partition (-1 when the partition holds none), from a read of its
 * last TAIL_WINDOW offsets; partitions whose window holds no data but which have older records are left out.
 */
async function lastDataOffsets(kafka: Kafka, topic: string, offsets: Array<{ partition: number; low: string; high: string }>): Promise<Map<number, bigint>> {
  const result = new Map<number, bigint>();
  if (offsets.length === 0) return result;
  const from = new Map(offsets.map((o) => [o.partition, BigInt(o.high) - TAIL_WINDOW > BigInt(o.low) ? BigInt(o.high) - TAIL_WINDOW : BigInt(o.low)]));
  const until = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  for (const m of await readTopic(kafka, topic, { from, until, idleMs: 1000 })) {
    const offset = BigInt(m.offset);
    if (offset > (result.get(m.partition) ?? -1n)) result.set(m.partition, offset);
  }
  for (const o of offsets) if (!result.has(o.partition) && from.get(o.partition) === BigInt(o.low)) result.set(o.partition, -1n);
  return result;
}
