import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { applyDdl } from '../services/analytics/ddl.ts';
import { startAnalytics } from '../services/analytics/service.ts';
import { analyticsTables, tableForTopic } from '../services/analytics/tables.ts';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import type { CptSample, Trajectory } from '../services/platform/generated/records.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger } from '../services/platform/logger.ts';
import { sampleValues } from '../test/fixtures/records.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

/**
 * Analytics sink throughput into the embedded engine: records on Kafka (half trajectories with nested steps,
 * half CPT samples) → consume, decode, map to typed rows, batched insert, commit — against a raw JSONEachRow
 * insert of the very same rows, in the same batch size, into identical tables of the same engine in the same
 * run. The ratio is what the sink's Kafka and Avro work costs on top of ClickHouse's own insert.
 */
export async function run(): Promise<BenchResult[]> {
  const n = envInt('BENCH_ANALYTICS_RECORDS', 40_000);
  const batchRows = envInt('ANALYTICS_BATCH_ROWS', 5000);
  const prefix = `bench${randomBytes(3).toString('hex')}.`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-analytics-'));
  const env = { ...process.env, TOPIC_PREFIX: prefix, FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'bench_sink', ANALYTICS_LAG_EVERY_MS: '0', ANALYTICS_BATCH_ROWS: String(batchRows), HTTP_PORT: '0', LOG_LEVEL: 'warn' };
  const config = loadPlatformConfig(env);
  const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
  const kafka = createKafka(config, logger, 'bench-analytics');
  const names = new TopicNames(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicCatalogue(), names);
    const samples = sampleValues();
    const trajectories: Trajectory[] = Array.from({ length: n / 2 }, (_, i) => ({ ...samples['fw.rollout.trajectories'], id: `traj-${i}`, question_id: `q-${i % 500}`, rollout_index: i % 8, reward: i % 3 === 0 ? 1 : 0 }));
    const cpt: CptSample[] = Array.from({ length: n / 2 }, (_, i) => ({ ...samples['fw.cpt.samples'], id: `cpt-${i}`, text: `sample ${i} `.repeat(40) }));
    const serde = new SingleObjectSerde();
    const producer = kafka.producer();
    await producer.connect();
    for (const [topic, schema, values] of [['fw.rollout.trajectories', 'fw.Trajectory', trajectories], ['fw.cpt.samples', 'fw.CptSample', cpt]] as const) {
      const messages = values.map((v) => ({ key: v.id, value: serde.encodeSync(schema, v) }));
      for (let i = 0; i < messages.length; i += 2000) await producer.send({ topic: names.physical(topic), messages: messages.slice(i, i + 2000) });
    }
    await producer.disconnect();
    note(`produced ${n} records under ${prefix}`);

    const running = await startAnalytics({ env, http: false, progressEveryMs: 0, logger });
    try {
      while (!running.sink.joined) await sleep(5);
      const start = performance.now();
      const count = async (db: string) => {
        const r = await running.client.query({ query: `SELECT (SELECT count() FROM ${db}.trajectories) + (SELECT count() FROM ${db}.cpt_samples) AS n`, format: 'JSONEachRow' });
        return Number((await r.json<{ n: number }>())[0].n);
      };
      while ((await count('bench_sink')) < n) await sleep(20);
      const sinkSeconds = (performance.now() - start) / 1000;
      note(`sink wrote ${n} rows in ${sinkSeconds.toFixed(2)} s`);

      // the same rows the sink wrote, inserted directly
      const tables = analyticsTables();
      await applyDdl(running.client, 'bench_raw', tables);
      const rows = (topic: string, values: Array<Trajectory | CptSample>) => {
        const spec = tableForTopic(tables, topic);
        return { table: spec.table, rows: values.map((v, i) => ({ ...spec.mapping.toRow(v as unknown as Record<string, unknown>), kafka_topic: topic, kafka_partition: i % 4, kafka_offset: i })) };
      };
      const inputs = [rows('fw.rollout.trajectories', trajectories), rows('fw.cpt.samples', cpt)];
      const rawStart = performance.now();
      for (const { table, rows: list } of inputs) {
        for (let i = 0; i < list.length; i += batchRows) {
          await running.client.insert({ table: `bench_raw.${table}`, values: list.slice(i, i + batchRows), format: 'JSONEachRow' });
        }
      }
      const rawSeconds = (performance.now() - rawStart) / 1000;
      if ((await count('bench_raw')) !== n) throw new Error('raw insert lost rows');
      note(`raw JSONEachRow insert of the same ${n} rows in ${rawSeconds.toFixed(2)} s`);

      const raw = compared('raw JSONEachRow insert (pre-built rows)', n / rawSeconds, 'rows/s');
      return [compared(`analytics sink, Kafka → ClickHouse (${n} records, batches of ${batchRows})`, n / sinkSeconds, 'rows/s', raw), raw];
    } finally {
      await running.stop();
    }
  } finally {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'analytics sink vs raw insert (embedded ClickHouse)', run);
