import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import pino from 'pino';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger } from '../services/platform/logger.ts';
import { deleteBenchTopics, envInt, note } from './lib.ts';
import { kafkajsEosCopy, kafkajsProduce, stageCopy, type Throughput } from './runtime.ts';
import { benchDocument } from './serde.ts';

/**
 * Profiling driver (not part of `npm run bench`): only the two exactly-once copies of bench/runtime.ts, so that
 * `node --cpu-prof --import tsx bench/_copy.ts stage` profiles the stage alone. Argument: stage, bare or both
 * (default both, interleaved for BENCH_ROUNDS rounds). With BENCH_PROFILE=<file prefix>, each copy is profiled on
 * its own (from its start to its last commit, not the setup) into <prefix>-<copy>-<round>.cpuprofile.
 */
const which = process.argv[2] ?? 'both';
const records = envInt('BENCH_RECORDS', 20_000);
const rounds = envInt('BENCH_ROUNDS', 1);
const prefix = `bench${randomBytes(3).toString('hex')}.`;
const env: NodeJS.ProcessEnv = { ...process.env, TOPIC_PREFIX: prefix, HTTP_PORT: '0', LOG_LEVEL: 'warn' };
const config = loadPlatformConfig(env);
const names = new TopicNames(prefix);
const kafka = createKafka(config, createLogger({ level: 'error', destination: pino.destination(2) }), 'bench');
const admin = kafka.admin();
await admin.connect();
const docs = names.physical('fw.docs');
const copyTopic = `${prefix}kafkajs.copy`;
const profileTo = process.env.BENCH_PROFILE;
const session = new Session();
session.connect();
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!profileTo) return fn();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(`${profileTo}-${name}.cpuprofile`, JSON.stringify(profile));
  }
}
const show = (name: string, t: Throughput) =>
  console.log(`${name.padEnd(6)} ${Math.round(t.records / t.seconds).toString().padStart(7)} records/s  ${((t.cpuMicros ?? 0) / t.records).toFixed(1).padStart(6)} µs CPU/record  ${t.transactions} txns  ${((1000 * (t.transactionSeconds ?? 0)) / (t.transactions || 1)).toFixed(1)} ms/txn`);
try {
  await ensureTopics(admin, topicCatalogue(), names, ['fw.docs', 'fw.cpt.samples', 'fw.drops', 'fw.dlq']);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: copyTopic, numPartitions: topicCatalogue().get('fw.docs').partitions }] });
  const serde = new SingleObjectSerde();
  const messages = Array.from({ length: records }, (_, i) => {
    const doc = benchDocument(i, 1024);
    return { key: doc.id, value: serde.encodeSync('fw.Document', doc) };
  });
  const inputBytes = (await kafkajsProduce(kafka, docs, messages)).bytes;
  for (let round = 1; round <= rounds; round++) {
    note(`round ${round}/${rounds}`);
    const copies: Array<() => Promise<void>> = [];
    if (which !== 'stage') {
      const options = { perTransaction: config.STAGE_MAX_BATCH, partitionsConcurrently: config.STAGE_PARTITIONS_CONCURRENTLY };
      copies.push(async () => show('bare', await profiled(`bare-${round}`, () => kafkajsEosCopy(kafka, admin, docs, copyTopic, records, `${prefix}bare-${round}`, options))));
    }
    if (which !== 'bare') copies.push(async () => show('stage', await profiled(`stage-${round}`, () => stageCopy(admin, env, docs, records, inputBytes, `${prefix}stage-${round}`))));
    for (const copy of round % 2 ? copies : copies.reverse()) await copy();
  }
} finally {
  await deleteBenchTopics(admin, prefix);
  await admin.disconnect();
  session.disconnect();
}
