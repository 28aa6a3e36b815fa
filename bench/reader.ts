import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import { loadPlatformConfig } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { readTopic } from '../services/platform/kafka/tail.ts';
import { createLogger } from '../services/platform/logger.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

const PARTITIONS = 4;

/** Committed records of `count`, in transactions of `perTxn` by two producers, then one aborted transaction per partition. */
async function fill(kafka: Kafka, topic: string, count: number, perTxn: number): Promise<void> {
  const producers = await Promise.all(
    ['a', 'b'].map(async (id) => {
      const p = kafka.producer({ transactionalId: `${topic}-${id}`, idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      return p;
    }),
  );
  const value = Buffer.alloc(200, 'x');
  for (let sent = 0, i = 0; sent < count; sent += perTxn, i++) {
    const txn = await producers[i % 2].transaction();
    await txn.send({ topic, messages: Array.from({ length: Math.min(perTxn, count - sent) }, (_, j) => ({ partition: j % PARTITIONS, value })) });
    await txn.commit();
  }
  const aborted = await producers[0].transaction();
  await aborted.send({ topic, messages: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value })) });
  await aborted.abort();
  await Promise.all(producers.map((p) => p.disconnect()));
}

/** The least any reader can do: a fresh group that already knows how many records to expect and stops at the last one. */
async function bareCount(kafka: Kafka, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}-bare-${randomBytes(3).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= expected) done();
    },
  });
  await finished;
  await consumer.disconnect();
  return seen;
}

/**
 * The platform's topic reader (`readTopic`, caught up when every partition's position reaches the end read at
 * start) against a bare kafkajs consumer told the record count in advance, on a topic whose partitions end in
 * transaction markers and an aborted transaction. Before the reader knew positions, it waited out an idle timer
 * (1.5 s) on such a topic.
 */
export async function run(): Promise<BenchResult[]> {
  const records = envInt('BENCH_READER_RECORDS', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const kafka = createKafka(loadPlatformConfig(process.env), createLogger({ level: 'error' }), 'bench-reader');
  const topic = `bench-reader-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: false });
    for (let attempt = 0; ; attempt++) {
      const ready = await admin.fetchTopicOffsets(topic).then(() => true, (error) => (attempt < 100 ? false : Promise.reject(error)));
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fill(kafka, topic, records, 500);
    note(`reader: ${records} records in ${PARTITIONS} partitions, ${rounds} rounds`);
    const best = { reader: Infinity, bare: Infinity };
    for (let round = 0; round < rounds; round++) {
      let t0 = performance.now();
      const read = (await readTopic(kafka, topic)).length;
      best.reader = Math.min(best.reader, performance.now() - t0);
      t0 = performance.now();
      const counted = await bareCount(kafka, topic, records);
      best.bare = Math.min(best.bare, performance.now() - t0);
      if (read !== records || counted !== records) throw new Error(`read ${read} and counted ${counted} records, expected ${records}`);
    }
    const bare = compared('bare kafkajs consumer, count known (records/s)', (records / best.bare) * 1000, 'records/s');
    return [
      compared('readTopic to the end (records/s)', (records / best.reader) * 1000, 'records/s', bare),
      bare,
      compared('readTopic to the end (ms)', best.reader, 'ms', { name: 'bare consumer (ms)', value: best.bare }),
    ];
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

runIfMain(import.meta.url, 'reader: the platform topic reader vs a bare consumer that knows the count', run);
