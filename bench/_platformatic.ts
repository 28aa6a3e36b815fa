import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger } from '../services/platform/logger.ts';
import { deleteBenchTopics, envInt, note } from './lib.ts';
import { kafkajsEosCopy, kafkajsProduce, kafkajsProduceEos, waitCommitted, type Throughput } from './runtime.ts';
import { benchDocument } from './serde.ts';

/**
 * Client-decision data, not part of `npm run bench`: the bare exactly-once copy of bench/runtime.ts written with
 * @platformatic/kafka 1.x (installed outside the project: PLATFORMATIC_KAFKA=<path to its package>, default
 * /work/scratch-platformatic/node_modules/@platformatic/kafka), interleaved with the kafkajs one on the same
 * broker and the same records. Per input partition a transactional producer; per chunk of STAGE_MAX_BATCH
 * records: send, addConsumer + addOffset (TxnOffsetCommit with the group's generation and member id, KIP-447),
 * commit; STAGE_PARTITIONS_CONCURRENTLY chunks in flight.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const pkg = process.env.PLATFORMATIC_KAFKA ?? '/work/scratch-platformatic/node_modules/@platformatic/kafka';
const pk: Any = await import(`${pkg}/dist/index.js`);
const records = envInt('BENCH_RECORDS', 20_000);
// its default retryDelay is 1000 ms, paid on every CONCURRENT_TRANSACTIONS answer (a transaction begun while the
// previous one's markers are still being written); kafkajs retries those after about 100-200 ms
const RETRY_MS = envInt('PLATFORMATIC_RETRY_MS', 100);
const rounds = envInt('BENCH_ROUNDS', 2);
const prefix = `bench${randomBytes(3).toString('hex')}.`;
const env = { ...process.env, TOPIC_PREFIX: prefix };
const config = loadPlatformConfig(env);
const names = new TopicNames(prefix);
const kafka = createKafka(config, createLogger({ level: 'error', destination: pino.destination(2) }), 'bench');
const admin = kafka.admin();
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function platformaticEosCopy(input: string, output: string, groupId: string, ends: Map<number, bigint>, perTransaction: number, inFlight: number): Promise<Throughput> {
  const base = { clientId: `bench-${groupId}`, bootstrapBrokers: config.KAFKA_BROKERS, retryDelay: RETRY_MS };
  const consumer = new pk.Consumer({ ...base, groupId, autocommit: false, maxBytesPerPartition: 4 * 1024 * 1024, isolationLevel: pk.FetchIsolationLevels.READ_COMMITTED });
  const producers = new Map<number, Any>();
  const chains = new Map<number, Promise<void>>();
  const buffers = new Map<number, Any[]>();
  let running = 0;
  let waiting: Array<() => void> = [];
  let copied = 0;
  let transactions = 0;
  let transactionSeconds = 0;
  let failure: unknown;
  const finished = new Set<number>();
  const producerFor = (partition: number) => {
    let producer = producers.get(partition);
    if (!producer) {
      producer = new pk.Producer({ ...base, idempotent: true, transactionalId: `${groupId}-${partition}` });
      producers.set(partition, producer);
    }
    return producer;
  };
  const commit = async (partition: number, chunk: Any[]) => {
    while (running >= inFlight) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    const began = performance.now();
    try {
      const txn = await producerFor(partition).beginTransaction();
      await txn.send({ messages: chunk.map((m: Any) => ({ topic: output, key: m.key, value: m.value })) });
      await txn.addConsumer(consumer);
      await txn.addOffset(chunk[chunk.length - 1]);
      await txn.commit();
      transactions++;
      transactionSeconds += (performance.now() - began) / 1000;
      copied += chunk.length;
    } catch (error) {
      failure ??= error;
    } finally {
      running--;
      const next = waiting;
      waiting = [];
      for (const w of next) w();
    }
  };
  const stream = await consumer.consume({ topics: [input], mode: pk.MessagesStreamModes.COMMITTED, fallbackMode: pk.MessagesStreamFallbackModes.EARLIEST });
  const start = performance.now();
  const cpu = cpuNow();
  try {
    for await (const message of stream as AsyncIterable<Any>) {
      const list = buffers.get(message.partition) ?? [];
      buffers.set(message.partition, list);
      list.push(message);
      const atEnd = message.offset + 1n >= ends.get(message.partition)!;
      if (list.length >= perTransaction || atEnd) {
        buffers.set(message.partition, []);
        const previous = chains.get(message.partition) ?? Promise.resolve();
        const chained = previous.then(() => commit(message.partition, list));
        chains.set(message.partition, chained);
        // backpressure: stop reading while every transaction slot is taken
        while (running >= inFlight) await sleep(1);
      }
      if (failure) throw failure;
      if (atEnd) finished.add(message.partition);
      if (finished.size === ends.size) break;
    }
    await Promise.all(chains.values());
    if (failure) throw failure;
    const end = await waitCommitted(admin, groupId, input, records, 60_000); // as the kafkajs copy is timed
    return { records: copied, seconds: (end - start) / 1000, bytes: 0, cpuMicros: cpuNow() - cpu, transactions, transactionSeconds };
  } finally {
    await stream.close().catch(() => undefined);
    await consumer.close(true).catch(() => undefined);
    await Promise.all([...producers.values()].map((p) => p.close().catch(() => undefined)));
  }
}

/** Transactions of `perTransaction` records, one at a time, no consumer: the client's own transaction round trips. */
async function platformaticProduceEos(topic: string, messages: Array<{ key: string; value: Buffer }>, transactionalId: string, perTransaction: number): Promise<Throughput> {
  const producer = new pk.Producer({ clientId: transactionalId, bootstrapBrokers: config.KAFKA_BROKERS, retryDelay: RETRY_MS, idempotent: true, transactionalId });
  try {
    const start = performance.now();
    const cpu = cpuNow();
    let transactions = 0;
    for (let i = 0; i < messages.length; i += perTransaction) {
      const txn = await producer.beginTransaction();
      await txn.send({ messages: messages.slice(i, i + perTransaction).map((m) => ({ topic, key: Buffer.from(m.key), value: m.value })) });
      await txn.commit();
      transactions++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { records: messages.length, seconds, bytes: 0, cpuMicros: cpuNow() - cpu, transactions, transactionSeconds: seconds };
  } finally {
    await producer.close().catch(() => undefined);
  }
}

const show = (name: string, t: Throughput) =>
  console.log(`${name.padEnd(12)} ${Math.round(t.records / t.seconds).toString().padStart(7)} records/s  ${((t.cpuMicros ?? 0) / t.records).toFixed(1).padStart(6)} µs CPU/record  ${t.transactions} txns  ${((1000 * (t.transactionSeconds ?? 0)) / (t.transactions || 1)).toFixed(1)} ms/txn`);

await admin.connect();
try {
  await ensureTopics(admin, topicCatalogue(), names, ['fw.docs']);
  const docs = names.physical('fw.docs');
  const partitions = topicCatalogue().get('fw.docs').partitions;
  await admin.createTopics({ waitForLeaders: true, topics: ['kafkajs.copy', 'platformatic.copy'].map((t) => ({ topic: prefix + t, numPartitions: partitions })) });
  const serde = new SingleObjectSerde();
  const messages = Array.from({ length: records }, (_, i) => {
    const doc = benchDocument(i, 1024);
    return { key: doc.id, value: serde.encodeSync('fw.Document', doc) };
  });
  await kafkajsProduce(kafka, docs, messages);
  const ends = new Map((await admin.fetchTopicOffsets(docs)).filter((p) => Number(p.high) > 0).map((p) => [p.partition, BigInt(p.high)]));
  const perTransaction = config.STAGE_MAX_BATCH;
  const inFlight = config.STAGE_PARTITIONS_CONCURRENTLY;
  for (let round = 1; round <= rounds; round++) {
    note(`round ${round}/${rounds}`);
    const copies = [
      async () => show('kafkajs', await kafkajsEosCopy(kafka, admin, docs, `${prefix}kafkajs.copy`, records, `${prefix}kafkajs-${round}`, { perTransaction, partitionsConcurrently: inFlight })),
      async () => show('platformatic', await platformaticEosCopy(docs, `${prefix}platformatic.copy`, `${prefix}platformatic-${round}`, ends, perTransaction, inFlight)),
    ];
    for (const copy of round % 2 ? copies : copies.reverse()) await copy();
    const cpu = cpuNow();
    const js = await kafkajsProduceEos(kafka, `${prefix}kafkajs.copy`, messages, `${prefix}kafkajs-txn-${round}`, perTransaction);
    show('kafkajs txn', { ...js, cpuMicros: cpuNow() - cpu, transactionSeconds: js.seconds });
    show('platf. txn', await platformaticProduceEos(`${prefix}platformatic.copy`, messages, `${prefix}platformatic-txn-${round}`, perTransaction));
  }
} finally {
  await deleteBenchTopics(admin, prefix);
  await admin.disconnect();
}
