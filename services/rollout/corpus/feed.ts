import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Serde } from '../../platform/avro/serde.ts';
import type { Document } from '../../platform/generated/records.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Corpus } from './corpus.ts';

export interface CorpusFeed {
  /** Consumer group of this replica's feed (unique, deleted on stop). */
  readonly groupId: string;
  stop(): Promise<void>;
}

/**
 * Keeps `corpus` in step with the fw.docs topic. Every replica of the rollout service reads the whole topic
 * under its own throw-away consumer group (a broadcast, not a share of partitions), so any replica can answer
 * any question; documents that arrive later are indexed as they come. Resolves once the documents that existed
 * at start-up are indexed (or `waitMs` passed).
 */
export async function startCorpusFeed(options: {
  kafka: Kafka;
  serde: Serde;
  topic: string;
  groupPrefix: string;
  corpus: Corpus;
  logger: Logger;
  waitMs: number;
}): Promise<CorpusFeed> {
  const { kafka, serde, topic, corpus, logger } = options;
  const groupId = `${options.groupPrefix}-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  const starts = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.low)]));
  const seen = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
  let lastMessageAt = Date.now();
  let joined = false;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    lastMessageAt = Date.now();
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        seen.set(batch.partition, BigInt(message.offset) + 1n);
        if (!message.value) continue;
        try {
          corpus.add(await serde.decode<Document>(message.value, 'fw.Document', topic));
        } catch (error) {
          logger.warn({ err: error, partition: batch.partition, offset: message.offset }, 'undecodable document skipped by the corpus feed');
        }
      }
      lastMessageAt = Date.now();
    },
  });
  const caughtUp = () =>
    [...ends].every(([p, end]) => end <= (starts.get(p) ?? 0n) || (seen.get(p) ?? 0n) >= end) ||
    // a transaction's commit marker takes the last offset but is never delivered
    (joined && Date.now() - lastMessageAt > 1500 && [...ends].every(([p, end]) => end <= (starts.get(p) ?? 0n) || (seen.get(p) ?? 0n) >= end - 1n));
  const deadline = Date.now() + options.waitMs;
  while (!caughtUp() && Date.now() < deadline) await sleep(100);
  logger.info({ documents: corpus.size, caughtUp: caughtUp() }, 'corpus loaded from fw.docs');
  return {
    groupId,
    async stop() {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}
