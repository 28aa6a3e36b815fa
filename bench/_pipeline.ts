import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import pino from 'pino';
import type { KafkaMessage } from 'kafkajs';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import { createLogger } from '../services/platform/logger.ts';
import { createStageContext } from '../services/platform/runtime/context.ts';
import { StageMetrics } from '../services/platform/runtime/metrics.ts';
import { RecordPipeline } from '../services/platform/runtime/record-pipeline.ts';
import { envInt } from './lib.ts';
import { passThrough } from './runtime.ts';
import { benchDocument } from './serde.ts';

/**
 * CPU of the record pipeline alone (decode → process → encode of bench/runtime.ts' pass-through stage, no broker):
 * `npx tsx bench/_pipeline.ts` prints µs/record, best of BENCH_ROUNDS rounds of BENCH_RECORDS records in chunks
 * of STAGE_MAX_BATCH; BENCH_PROFILE=<file> also writes a .cpuprofile of the last round.
 */
const records = envInt('BENCH_RECORDS', 20_000);
const rounds = envInt('BENCH_ROUNDS', 7);
const platform = loadPlatformConfig({ ...process.env, TOPIC_PREFIX: 'bench.' });
const names = new TopicNames('bench.');
const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
const metrics = new StageMetrics();
const signal = new AbortController().signal;
const serde = new SingleObjectSerde();
const pipeline = new RecordPipeline({ stage: passThrough, serde, catalogue: topicCatalogue(), names, platform, metrics, logger, signal });
const context = { ...createStageContext({ stage: passThrough, env: process.env, platform, config: {}, logger, metrics, signal }), state: undefined };
const messages: KafkaMessage[] = Array.from({ length: records }, (_, i) => {
  const doc = benchDocument(i, 1024);
  return { key: Buffer.from(doc.id), value: serde.encodeSync('fw.Document', doc), offset: String(i), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage;
});
const heartbeat = async () => undefined;
const session = new Session();
session.connect();
let best = Infinity;
for (let round = 1; round <= rounds; round++) {
  const profile = process.env.BENCH_PROFILE && round === rounds;
  if (profile) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  let out = 0;
  for (let i = 0; i < records; i += platform.STAGE_MAX_BATCH) {
    out += (await pipeline.chunk('fw.docs', 0, messages.slice(i, i + platform.STAGE_MAX_BATCH), context, heartbeat)).length;
  }
  const used = process.cpuUsage(cpu);
  if (out !== records) throw new Error(`${out} outputs for ${records} records`);
  if (profile) fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify((await session.post('Profiler.stop')).profile));
  best = Math.min(best, (used.user + used.system) / records);
}
session.disconnect();
console.log(`record pipeline: ${best.toFixed(2)} µs CPU/record (best of ${rounds} rounds of ${records}; load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
