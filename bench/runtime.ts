import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { Admin, Kafka } from 'kafkajs';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger } from '../services/platform/logger.ts';
import { deployDir } from '../services/platform/paths.ts';
import { contentId } from '../services/platform/records.ts';
import { startStage } from '../services/platform/runtime/runner.ts';
import { defineStage } from '../services/platform/runtime/stage.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';
import { benchDocument } from './serde.ts';

/**
 * Stage runtime throughput (1 KB Avro records, exactly-once) against Kafka's own Java tools on the same broker,
 * plus plain kafkajs produce/consume, all in one run: the ratios separate the client's cost (kafkajs vs the
 * Java client) from the runtime's (stage vs kafkajs, stage vs Java's transactional copier).
 */

const RECORD_BYTES = 1024;
const MiB = 1024 * 1024;

/** The smallest useful stage: every document becomes a CPT sample with the same text (no filter). */
const passThrough = defineStage({
  name: 'bench-pass-through',
  version: '1.0.0',
  description: 'Benchmark: copies each fw.docs record to fw.cpt.samples.',
  inputs: ['fw.docs'],
  outputs: ['fw.cpt.samples'],
  process(record, ctx) {
    const doc = record.value;
    return [
      {
        topic: 'fw.cpt.samples',
        value: { ...ctx.meta(contentId('cpt', 'bench', doc.id), [doc.id]), origin: 'document', text: doc.text, source_round: doc.round, approx_tokens: Math.ceil(doc.text.length / 4) },
      },
    ];
  },
});

interface Throughput {
  records: number;
  seconds: number;
  bytes: number;
  /** CPU time this process spent (user + system), when the work ran here. */
  cpuMicros?: number;
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const perSecond = (t: Throughput) => t.records / t.seconds;
const mbPerSecond = (t: Throughput) => t.bytes / MiB / t.seconds;

/** Runs a class of the Kafka jars (deploy/local/lib) and returns its stdout; `onLine` sees lines as they come. */
function java(mainClass: string, args: string[], onLine?: (line: string) => void): Promise<string> {
  const classpath = path.join(deployDir, 'local/lib/*');
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xmx512m', '-cp', classpath, mainClass, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', (error) => reject(new Error(`cannot start java (is a JDK 17+ on PATH?): ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${mainClass} exited with ${code}: ${(err || out).slice(-2000)}`))));
  });
}

/** ProducerPerformance's summary line: "N records sent, R records/sec (M MB/sec), …". */
async function javaProduce(topic: string, records: number, brokers: string, transactional?: { id: string; durationMs: number }): Promise<Throughput> {
  const args = ['--topic', topic, '--num-records', String(records), '--record-size', String(RECORD_BYTES), '--throughput', '-1', '--producer-props', `bootstrap.servers=${brokers}`];
  if (transactional) args.push('--transactional-id', transactional.id, '--transaction-duration-ms', String(transactional.durationMs));
  const out = await java('org.apache.kafka.tools.ProducerPerformance', args);
  const match = /(\d+) records sent, ([\d.]+) records\/sec/.exec(out.trim().split('\n').pop() ?? '');
  if (!match) throw new Error(`unexpected ProducerPerformance output: ${out.slice(-500)}`);
  const sent = Number(match[1]);
  return { records: sent, seconds: sent / Number(match[2]), bytes: sent * RECORD_BYTES };
}

/** ConsumerPerformance's CSV line; uses its fetch figures, which leave out the group join (as ours do). */
async function javaConsume(topic: string, records: number, brokers: string, group: string): Promise<Throughput> {
  const out = await java('org.apache.kafka.tools.ConsumerPerformance', ['--bootstrap-server', brokers, '--topic', topic, '--messages', String(records), '--group', group, '--hide-header']);
  const fields = out.trim().split('\n').pop()!.split(',').map((f) => f.trim());
  // start, end, MB, MB/s, nMsg, nMsg/s, rebalance ms, fetch ms, fetch MB/s, fetch nMsg/s
  const [megabytes, consumed, fetchMs] = [Number(fields[2]), Number(fields[4]), Number(fields[7])];
  if (!(consumed > 0 && fetchMs > 0)) throw new Error(`unexpected ConsumerPerformance output: ${out.slice(-500)}`);
  return { records: consumed, seconds: fetchMs / 1000, bytes: megabytes * MiB };
}

/** Sum of a group's committed offsets on `topic` (the records it has consumed and committed). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets[0]?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) ?? 0;
}

/** Polls until `groupId` has committed `records` offsets of `topic`; returns when that was seen (ms). */
async function waitCommitted(admin: Admin, groupId: string, topic: string, records: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await committed(admin, groupId, topic)) >= records) return performance.now();
    await sleep(50);
  }
  throw new Error(`${groupId} did not commit ${records} records of ${topic} within ${timeoutMs} ms`);
}

async function kafkajsProduce(kafka: Kafka, topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<Throughput> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const batch = 500;
    const inFlight = 4;
    const start = performance.now();
    const chunks = Array.from({ length: Math.ceil(messages.length / batch) }, (_, i) => messages.slice(i * batch, (i + 1) * batch));
    for (let i = 0; i < chunks.length; i += inFlight) {
      await Promise.all(chunks.slice(i, i + inFlight).map((chunk) => producer.send({ topic, acks: -1, messages: chunk })));
    }
    const seconds = (performance.now() - start) / 1000;
    return { records: messages.length, seconds, bytes: messages.reduce((sum, m) => sum + m.value.length, 0) };
  } finally {
    await producer.disconnect();
  }
}

/** kafkajs transactional producer, one transaction of `perTransaction` records at a time (the runtime's unit of work). */
async function kafkajsProduceEos(kafka: Kafka, topic: string, messages: Array<{ key: string; value: Buffer }>, transactionalId: string, perTransaction: number): Promise<Throughput & { transactions: number }> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const start = performance.now();
    const cpu = cpuNow();
    let transactions = 0;
    for (let i = 0; i < messages.length; i += perTransaction) {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: messages.slice(i, i + perTransaction) });
      await txn.commit();
      transactions++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { records: messages.length, seconds, bytes: messages.reduce((sum, m) => sum + m.value.length, 0), transactions, cpuMicros: cpuNow() - cpu };
  } finally {
    await producer.disconnect();
  }
}

/** Plain kafkajs consumer (read_uncommitted, like ConsumerPerformance), timed from the group join. */
async function kafkajsConsume(kafka: Kafka, topic: string, records: number, groupId: string): Promise<Throughput> {
  const consumer = kafka.consumer({ groupId, readUncommitted: true, maxBytesPerPartition: 4 * MiB });
  let start = 0;
  let cpu = 0;
  let count = 0;
  let bytes = 0;
  let finish!: (end: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const timeout = new AbortController();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    start ||= performance.now();
    cpu ||= cpuNow();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        count += batch.messages.length;
        if (count >= records) finish(performance.now());
      },
    });
    const end = await Promise.race([finished, sleep(300_000, undefined, { signal: timeout.signal }).then(() => Promise.reject(new Error(`kafkajs consumer read ${count}/${records} records`)))]);
    return { records: count, seconds: (end - start) / 1000, bytes, cpuMicros: cpuNow() - cpu };
  } finally {
    timeout.abort();
    await consumer.disconnect();
  }
}

/** The pass-through stage through startStage, timed from the group join until every input offset is committed. */
async function stageCopy(admin: Admin, env: NodeJS.ProcessEnv, input: string, records: number, inputBytes: number): Promise<Throughput & { transactions: number }> {
  const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
  const stage = await startStage(passThrough, { env, logger, http: false, progressEveryMs: 0 });
  try {
    while (!stage.ready()) await sleep(5);
    const start = performance.now();
    const cpu = cpuNow();
    const end = await waitCommitted(admin, stage.groupId, input, records, 600_000);
    const cpuMicros = cpuNow() - cpu;
    const out = (await stage.metrics.recordsOut.get()).values.reduce((sum, v) => sum + v.value, 0);
    if (out !== records) throw new Error(`stage produced ${out} records for ${records} inputs`);
    const transactions = (await stage.metrics.transactions.get()).values.find((v) => v.labels.outcome === 'committed')?.value ?? 0;
    return { records, seconds: (end - start) / 1000, bytes: inputBytes, transactions, cpuMicros };
  } finally {
    await stage.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const records = envInt('BENCH_RECORDS', 20_000);
  const javaTxnMs = envInt('BENCH_JAVA_TXN_MS', 100);
  const prefix = `bench${randomBytes(3).toString('hex')}.`;
  const env: NodeJS.ProcessEnv = { ...process.env, TOPIC_PREFIX: prefix, HTTP_PORT: '0', LOG_LEVEL: 'warn' };
  const config = loadPlatformConfig(env);
  const brokers = config.KAFKA_BROKERS.join(',');
  const names = new TopicNames(prefix);
  const kafka = createKafka(config, createLogger({ level: 'error', destination: pino.destination(2) }), 'bench');
  const admin = kafka.admin();
  await admin.connect();
  const partitions = topicCatalogue().get('fw.docs').partitions;
  const raw = { plain: `${prefix}java.plain`, eos: `${prefix}java.eos`, jsEos: `${prefix}kafkajs.eos` };
  const perTransaction = config.STAGE_MAX_BATCH;
  try {
    await ensureTopics(admin, topicCatalogue(), names, ['fw.docs', 'fw.cpt.samples', 'fw.drops', 'fw.dlq']);
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(raw).map((topic) => ({ topic, numPartitions: partitions })) });

    note(`runtime: ${records} records of ${RECORD_BYTES} B, topics ${prefix}*`);
    const serde = new SingleObjectSerde();
    const messages = Array.from({ length: records }, (_, i) => {
      const doc = benchDocument(i, RECORD_BYTES);
      return { key: doc.id, value: serde.encodeSync('fw.Document', doc) };
    });
    const docs = names.physical('fw.docs');

    note('runtime: Java ProducerPerformance (plain, then transactional)');
    const javaPlain = await javaProduce(raw.plain, records, brokers);
    const javaEos = await javaProduce(raw.eos, records, brokers, { id: `${prefix}perf-txn`, durationMs: javaTxnMs });
    note('runtime: kafkajs produce (plain, then transactional)');
    const jsProduce = await kafkajsProduce(kafka, docs, messages);
    const jsEos = await kafkajsProduceEos(kafka, raw.jsEos, messages, `${prefix}kafkajs-txn`, perTransaction);
    note('runtime: Java ConsumerPerformance, kafkajs consume');
    const javaConsumer = await javaConsume(raw.plain, records, brokers, `${prefix}perf-consumer`);
    const jsConsume = await kafkajsConsume(kafka, docs, records, `${prefix}kafkajs-consumer`);
    note('runtime: flywheel stage (EOS pass-through)');
    const stage = await stageCopy(admin, env, docs, records, jsProduce.bytes);
    note('runtime: done');

    const rate = (name: string, t: Throughput) => ({ name, value: perSecond(t) });
    const mb = (name: string, t: Throughput) => ({ name, value: mbPerSecond(t) });
    const javaProduceName = 'Java ProducerPerformance';
    const javaEosName = `Java ProducerPerformance EOS (txn/${javaTxnMs} ms)`;
    const jsProduceName = 'kafkajs produce';
    const jsEosName = `kafkajs produce EOS (${perTransaction}/txn)`;
    const javaConsumeName = 'Java ConsumerPerformance';
    const jsConsumeName = 'kafkajs consume';
    const stageName = `stage EOS (≤${perTransaction}/txn, ${stage.transactions} txns)`;
    return [
      { ...rate(javaProduceName, javaPlain), unit: 'records/s' },
      { ...mb(javaProduceName, javaPlain), unit: 'MB/s' },
      compared(jsProduceName, perSecond(jsProduce), 'records/s', rate(javaProduceName, javaPlain)),
      compared(jsProduceName, mbPerSecond(jsProduce), 'MB/s', mb(javaProduceName, javaPlain)),
      compared(javaEosName, perSecond(javaEos), 'records/s', rate(javaProduceName, javaPlain)),
      compared(jsEosName, perSecond(jsEos), 'records/s', rate(javaEosName, javaEos)),
      compared(jsEosName, mbPerSecond(jsEos), 'MB/s', mb(javaEosName, javaEos)),
      { ...rate(javaConsumeName, javaConsumer), unit: 'records/s' },
      { ...mb(javaConsumeName, javaConsumer), unit: 'MB/s' },
      compared(jsConsumeName, perSecond(jsConsume), 'records/s', rate(javaConsumeName, javaConsumer)),
      compared(jsConsumeName, mbPerSecond(jsConsume), 'MB/s', mb(javaConsumeName, javaConsumer)),
      compared(stageName, perSecond(stage), 'records/s', rate(javaEosName, javaEos)),
      compared(stageName, mbPerSecond(stage), 'MB/s', mb(javaEosName, javaEos)),
      compared(stageName, perSecond(stage), 'records/s', rate(jsEosName, jsEos)),
      compared(stageName, perSecond(stage), 'records/s', rate(jsConsumeName, jsConsume)),
      compared(`${stageName}: CPU`, stage.cpuMicros! / records, 'µs/record', {
        name: 'kafkajs consume + produce EOS: CPU',
        value: (jsConsume.cpuMicros! + jsEos.cpuMicros!) / records,
      }),
    ];
  } finally {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch((error) => note(`could not delete ${mine.join(', ')}: ${error}`));
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch((error) => note(`could not delete groups ${groups.join(', ')}: ${error}`));
    await admin.disconnect();
  }
}

runIfMain(import.meta.url, 'runtime: throughput on the local broker (ratio = ours / baseline)', run);
