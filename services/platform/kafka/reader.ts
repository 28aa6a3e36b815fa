import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export type ReadMessage = KafkaMessage & {
  topic: string;
  partition: number;
};

export interface ReadTopicOptions {
  /** Exclusive end offset per partition; defaults to the partition's end when reading starts. */
  until?: Map<number, bigint>;
  /** Inclusive start offset per partition; defaults to the beginning. */
  from?: Map<number, bigint>;
  /** Give up on a partition's remaining offsets after this long without a message (transaction markers occupy offsets but are never delivered). */
  idleMs?: number;
  readUncommitted?: boolean;
}

/**
 * Reads a bounded slice of a topic (read_committed by default) with a throw-away consumer group and returns
 * the messages in partition/offset order. Used by tests, `flywheel dlq`, exports and round readers.
 */
export async function readTopic(kafka: Kafka, topic: string, options: ReadTopicOptions = {}): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const until = options.until ?? new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const from = options.from ?? new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
  const pending = new Set([...until].filter(([p, end]) => end > (from.get(p) ?? 0n)).map(([p]) => p));
  const out: ReadMessage[] = [];
  if (pending.size === 0) return out;

  const consumer = kafka.consumer({ groupId: `fw-reader-${randomUUID()}`, readUncommitted: options.readUncommitted ?? false, maxWaitTimeInMs: 200 });
  let lastMessageAt = Date.now();
  let joined = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    lastMessageAt = Date.now();
    for (const [partition, offset] of from) if (pending.has(partition)) consumer.seek({ topic, partition, offset: offset.toString() });
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const end = until.get(batch.partition) ?? 0n;
      for (const m of batch.messages) {
        const offset = BigInt(m.offset);
        if (offset >= end || offset < (from.get(batch.partition) ?? 0n)) continue;
        out.push({ ...m, topic: batch.topic, partition: batch.partition });
        lastMessageAt = Date.now();
        if (offset + 1n >= end) pending.delete(batch.partition);
      }
      if (pending.size === 0) finish();
    },
  });
  const idleMs = options.idleMs ?? 1500;
  const timer = setInterval(() => {
    if (joined && Date.now() - lastMessageAt > idleMs) finish();
  }, 100);
  await finished;
  clearInterval(timer);
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
