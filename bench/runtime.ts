import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger } from '../services/platform/logger.ts';
import { deployDir } from '../services/platform/paths.ts';
import { startStage } from '../services/platform/runtime/runner.ts';
import { defineStage } from '../services/platform/runtime/stage.ts';
import { compared, deleteBenchTopics, envInt, note, runIfMain, type BenchResult } from './lib.ts';
import { benchDocument } from './serde.ts';

/**
 * Stage runtime throughput (1 KB Avro records, exactly-once) against Kafka's own Java tools on the same broker,
 * plus plain kafkajs produce/consume and a bare kafkajs exactly-once copy, all in one run: the ratios separate
 * the client's cost (kafkajs vs the Java client) from the runtime's (stage vs the bare kafkajs copy).
 */

const RECORD_BYTES = 1024;
const MiB = 1024 * 1024;

/** The smallest useful stage: every document becomes a CPT sample with the same text (no filter), built by ctx.cpt as cpt-docs does. */
export const passThrough = defineStage({
  name: 'bench-pass-through',
  version: '1.0.0',
  description: 'Benchmark: copies each fw.docs record to fw.cpt.samples.',
  inputs: ['fw.docs'],
  outputs: ['fw.cpt.samples'],
  process(record, ctx) {
    const doc = record.value;
    return [ctx.cpt({ origin: 'document', text: doc.text, key: ['bench', doc.id], parents: [doc.id], sourceRound: doc.round })];
  },
});

export interface Throughput {
  records: number;
  seconds: number;
  bytes: number;
  /** CPU time this process spent (user + system), when the work ran here. */
  cpuMicros?: number;
  transactions?: number;
  /** Seconds spent inside transactions (produce + offsets + commit), summed over all of them. */
  transactionSeconds?: number;
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
export async function waitCommitted(admin: Admin, groupId: string, topic: string, records: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await committed(admin, groupId, topic)) >= records) return performance.now();
    await sleep(50);
  }
  throw new Error(`${groupId} did not commit ${records} records of ${topic} within ${timeoutMs} ms`);
}

export async function kafkajsProduce(kafka: Kafka, topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<Throughput> {
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
export async function kafkajsProduceEos(kafka: Kafka, topic: string, messages: Array<{ key: string; value: Buffer }>, transactionalId: string, perTransaction: number): Promise<Throughput & { transactions: number }> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const start = performance.now();
    let transactions = 0;
    for (let i = 0; i < messages.length; i += perTransaction) {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: messages.slice(i, i + perTransaction) });
      await txn.commit();
      transactions++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { records: messages.length, seconds, bytes: messages.reduce((sum, m) => sum + m.value.length, 0), transactions };
  } finally {
    await producer.disconnect();
  }
}

/** Plain kafkajs consumer (read_uncommitted, like ConsumerPerformance), timed from the group join. */
async function kafkajsConsume(kafka: Kafka, topic: string, records: number, groupId: string): Promise<Throughput> {
  const consumer = kafka.consumer({ groupId, readUncommitted: true, maxBytesPerPartition: 4 * MiB });
  let start = 0;
  let count = 0;
  let bytes = 0;
  let finish!: (end: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const timeout = new AbortController();
  consumer.on(consumer.events.GROUP_JOIN, () => (start ||= performance.now()));
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
    return { records: count, seconds: (end - start) / 1000, bytes };
  } finally {
    timeout.abort();
    await consumer.disconnect();
  }
}

/**
 * The runtime's exactly-once loop in bare kafkajs — per input partition a transactional producer; per chunk of
 * `perTransaction` records: send, sendOffsets, commit — without decode, process, encode, metrics or retries.
 * The stage's ratio to this is the cost of the runtime itself.
 */
export async function kafkajsEosCopy(kafka: Kafka, admin: Admin, input: string, output: string, records: number, groupId: string, options: { perTransaction: number; partitionsConcurrently: number }): Promise<Throughput> {
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 4 * MiB });
  const producers = new Map<number, Producer>();
  let start = 0;
  let cpu = 0;
  let bytes = 0;
  let transactions = 0;
  let transactionSeconds = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    start ||= performance.now();
    cpu ||= cpuNow();
  });
  const producerFor = async (partition: number) => {
    let producer = producers.get(partition);
    if (!producer) {
      producer = kafka.producer({ transactionalId: `${groupId}-${partition}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      producers.set(partition, producer);
      await producer.connect();
    }
    return producer;
  };
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: input, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        const producer = await producerFor(batch.partition);
        for (let i = 0; i < batch.messages.length && isRunning(); i += options.perTransaction) {
          const chunk = batch.messages.slice(i, i + options.perTransaction);
          const last = chunk[chunk.length - 1];
          const began = performance.now();
          const txn = await producer.transaction();
          try {
            await txn.send({ topic: output, messages: chunk.map((m) => ({ key: m.key, value: m.value })) });
            await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }] });
            await txn.commit();
          } catch (error) {
            await txn.abort().catch(() => undefined);
            throw error;
          }
          transactions++;
          transactionSeconds += (performance.now() - began) / 1000;
          for (const m of chunk) bytes += m.value?.length ?? 0;
          resolveOffset(last.offset);
          await heartbeat();
        }
      },
    });
    const end = await waitCommitted(admin, groupId, input, records, 600_000);
    return { records, seconds: (end - start) / 1000, bytes, cpuMicros: cpuNow() - cpu, transactions, transactionSeconds };
  } finally {
    await consumer.disconnect();
    await Promise.all([...producers.values()].map((p) => p.disconnect().catch(() => undefined)));
  }
}

/** The pass-through stage through startStage, timed from the group join until every input offset is committed. */
export async function stageCopy(admin: Admin, env: NodeJS.ProcessEnv, input: string, records: number, inputBytes: number, groupId: string): Promise<Throughput> {
  const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
  const stage = await startStage(passThrough, { env, logger, groupId, http: false, progressEveryMs: 0 });
  try {
    while (!stage.ready()) await sleep(5);
    const start = performance.now();
    const cpu = cpuNow();
    const end = await waitCommitted(admin, stage.groupId, input, records, 600_000);
    const cpuMicros = cpuNow() - cpu;
    const out = (await stage.metrics.recordsOut.get()).values.reduce((sum, v) => sum + v.value, 0);
    if (out !== records) throw new Error(`stage produced ${out} records for ${records} inputs`);
    const transactions = (await stage.metrics.transactions.get()).values.find((v) => v.labels.outcome === 'committed')?.value ?? 0;
    const transactionSeconds = (await stage.metrics.transactionSeconds.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    return { records, seconds: (end - start) / 1000, bytes: inputBytes, transactions, transactionSeconds, cpuMicros };
  } finally {
    await stage.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const records = envInt('BENCH_RECORDS', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 2);
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
  const raw = { plain: `${prefix}java.plain`, eos: `${prefix}java.eos`, jsPlain: `${prefix}kafkajs.plain`, jsEos: `${prefix}kafkajs.eos`, jsCopy: `${prefix}kafkajs.copy` };
  const perTransaction = config.STAGE_MAX_BATCH;
  const docs = names.physical('fw.docs');
  try {
    await ensureTopics(admin, topicCatalogue(), names, ['fw.docs', 'fw.cpt.samples', 'fw.drops', 'fw.dlq']);
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(raw).map((topic) => ({ topic, numPartitions: partitions })) });
    note(`runtime: ${records} records of ${RECORD_BYTES} B × ${rounds} rounds, topics ${prefix}*`);
    const serde = new SingleObjectSerde();
    const messages = Array.from({ length: records }, (_, i) => {
      const doc = benchDocument(i, RECORD_BYTES);
      return { key: doc.id, value: serde.encodeSync('fw.Document', doc) };
    });
    const inputBytes = (await kafkajsProduce(kafka, docs, messages)).bytes; // the copy benchmarks' input

    // Every figure is measured once per round, the rounds interleaved; the best round is kept (least disturbed).
    const best = new Map<string, Throughput>();
    // a rate's best round is its fastest; CPU per record is a cost, so its best round is the cheapest (which need
    // not be the fastest: a round starved of CPU takes longer but spends no more CPU on each record)
    const leastCpu = new Map<string, number>();
    const keep = (key: string, t: Throughput) => {
      const seen = best.get(key);
      if (!seen || perSecond(t) > perSecond(seen)) best.set(key, t);
      if (t.cpuMicros !== undefined) leastCpu.set(key, Math.min(leastCpu.get(key) ?? Infinity, t.cpuMicros));
      if (t.cpuMicros !== undefined) note(`runtime: ${key}: ${Math.round(perSecond(t))} records/s, ${(t.cpuMicros / t.records).toFixed(1)} µs CPU/record (load ${os.loadavg()[0].toFixed(1)})`);
    };
    for (let round = 1; round <= rounds; round++) {
      const id = (what: string) => `${prefix}${what}-${round}`;
      note(`runtime: round ${round}/${rounds}: Java ProducerPerformance (plain, transactional), kafkajs produce (plain, transactional)`);
      keep('javaPlain', await javaProduce(raw.plain, records, brokers));
      keep('javaEos', await javaProduce(raw.eos, records, brokers, { id: id('perf-txn'), durationMs: javaTxnMs }));
      keep('jsProduce', await kafkajsProduce(kafka, raw.jsPlain, messages));
      keep('jsEos', await kafkajsProduceEos(kafka, raw.jsEos, messages, id('kafkajs-txn'), perTransaction));
      note(`runtime: round ${round}/${rounds}: Java ConsumerPerformance, kafkajs consume`);
      keep('javaConsume', await javaConsume(raw.plain, records, brokers, id('perf-consumer')));
      keep('jsConsume', await kafkajsConsume(kafka, docs, records, id('kafkajs-consumer')));
      note(`runtime: round ${round}/${rounds}: bare kafkajs EOS copy and flywheel stage (alternating which goes first)`);
      const copies = [
        async () => keep('jsCopy', await kafkajsEosCopy(kafka, admin, docs, raw.jsCopy, records, id('kafkajs-copy'), { perTransaction, partitionsConcurrently: config.STAGE_PARTITIONS_CONCURRENTLY })),
        async () => keep('stage', await stageCopy(admin, env, docs, records, inputBytes, id('stage'))),
      ];
      // alternate which copy goes first, so that neither always runs on a broker still busy with the other's work
      for (const copy of round % 2 ? copies : copies.reverse()) await copy();
    }
    note('runtime: done');
    for (const [key, cpuMicros] of leastCpu) best.set(key, { ...best.get(key)!, cpuMicros });
    return figures(best, { javaTxnMs, perTransaction, records });
  } finally {
    await deleteBenchTopics(admin, prefix);
    await admin.disconnect();
  }
}

function figures(best: Map<string, Throughput>, options: { javaTxnMs: number; perTransaction: number; records: number }): BenchResult[] {
  const get = (key: string) => best.get(key)!;
  const rate = (name: string, key: string) => ({ name, value: perSecond(get(key)) });
  const mb = (name: string, key: string) => ({ name, value: mbPerSecond(get(key)) });
  const row = (name: string, key: string, baseline?: [string, string]) => [
    compared(name, perSecond(get(key)), 'records/s', baseline && rate(...baseline)),
    compared(name, mbPerSecond(get(key)), 'MB/s', baseline && mb(...baseline)),
  ];
  const javaProduce: [string, string] = ['Java ProducerPerformance', 'javaPlain'];
  const javaEos: [string, string] = [`Java ProducerPerformance EOS (txn/${options.javaTxnMs} ms)`, 'javaEos'];
  const javaConsume: [string, string] = ['Java ConsumerPerformance', 'javaConsume'];
  const jsCopy: [string, string] = [`kafkajs EOS copy, bare (${options.perTransaction}/txn)`, 'jsCopy'];
  const stage = `stage EOS copy (${options.perTransaction}/txn, ${get('stage').transactions} txns)`;
  const cpu = (key: string) => get(key).cpuMicros! / options.records;
  const perTransactionMs = (key: string) => (1000 * get(key).transactionSeconds!) / get(key).transactions!;
  return [
    ...row(javaProduce[0], javaProduce[1]),
    ...row('kafkajs produce', 'jsProduce', javaProduce),
    compared(javaEos[0], perSecond(get('javaEos')), 'records/s', rate(...javaProduce)),
    ...row(`kafkajs produce EOS (${options.perTransaction}/txn)`, 'jsEos', javaEos),
    ...row(javaConsume[0], javaConsume[1]),
    ...row('kafkajs consume', 'jsConsume', javaConsume),
    compared(jsCopy[0], perSecond(get('jsCopy')), 'records/s', rate(...javaEos)),
    ...row(stage, 'stage', javaEos),
    ...row(stage, 'stage', jsCopy),
    compared(`${stage}: CPU`, cpu('stage'), 'µs/record', { name: `${jsCopy[0]}: CPU`, value: cpu('jsCopy') }),
    compared(`${stage}: time in one transaction`, perTransactionMs('stage'), 'ms', { name: `${jsCopy[0]}: time in one transaction`, value: perTransactionMs('jsCopy') }),
  ];
}

runIfMain(import.meta.url, 'runtime: throughput on the local broker (ratio = ours / baseline)', run);
