import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { applyDdl } from '../services/analytics/ddl.ts';
import { startAnalytics } from '../services/analytics/service.ts';
import { clickHouseWriter, jsonRows } from '../services/analytics/writer.ts';
import { SINK_FETCH } from '../services/analytics/sink.ts';
import { analyticsTables, tableForTopic, type TableSpec } from '../services/analytics/tables.ts';
import { JsonBytes, transcodeLine } from '../services/analytics/transcode.ts';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import type { CptSample, Trajectory } from '../services/platform/generated/records.ts';
import { createKafka, type KafkaClient } from '../services/platform/kafka/client.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger, type Logger } from '../services/platform/logger.ts';
import { PartitionInput } from '../services/platform/runtime/partition-input.ts';
import { sampleValues } from '../test/fixtures/records.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

/**
 * Analytics sink throughput into the embedded engine: records on Kafka (half trajectories with nested steps,
 * half CPT samples) → consume, decode, map to typed rows, batched insert, commit — against a raw insert of the
 * very same rows, in the same batch size, into identical tables of the same engine in the same run, through the
 * sink's own writer (one JSONEachRow Buffer per table and batch) and through @clickhouse/client's insert. The
 * ratio is what the sink's Kafka and Avro work costs on top of ClickHouse's own insert. Each repetition uses
 * fresh topics and databases; the three measurements alternate and the best repetition of each is kept.
 * BENCH_PROFILE=<file> writes a .cpuprofile of the last repetition's sink window (bench/_profile-top.ts reads it).
 */
export async function run(): Promise<BenchResult[]> {
  const n = envInt('BENCH_ANALYTICS_RECORDS', 40_000);
  const batchRows = envInt('ANALYTICS_BATCH_ROWS', 5000);
  const repetitions = envInt('BENCH_ANALYTICS_REPETITIONS', 3);
  const prefix = `bench${randomBytes(3).toString('hex')}.`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-analytics-'));
  const env = { ...process.env, FLYWHEEL_HOME: home, ANALYTICS_LAG_EVERY_MS: '0', ANALYTICS_BATCH_ROWS: String(batchRows), HTTP_PORT: '0', LOG_LEVEL: 'warn' };
  const config = loadPlatformConfig(env);
  const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
  const kafka = createKafka(config, logger, 'bench-analytics');
  const admin = kafka.admin();
  await admin.connect();
  const samples = sampleValues();
  const trajectories: Trajectory[] = Array.from({ length: n / 2 }, (_, i) => ({ ...samples['fw.rollout.trajectories'], id: `traj-${i}`, question_id: `q-${i % 500}`, rollout_index: i % 8, reward: i % 3 === 0 ? 1 : 0 }));
  const cpt: CptSample[] = Array.from({ length: n / 2 }, (_, i) => ({ ...samples['fw.cpt.samples'], id: `cpt-${i}`, text: `sample ${i} `.repeat(40) }));
  const serde = new SingleObjectSerde();
  const encoded = [
    { topic: 'fw.rollout.trajectories', messages: trajectories.map((v) => ({ key: v.id, value: serde.encodeSync('fw.Trajectory', v) })) },
    { topic: 'fw.cpt.samples', messages: cpt.map((v) => ({ key: v.id, value: serde.encodeSync('fw.CptSample', v) })) },
  ];
  const tables = analyticsTables();
  // rows as plain objects (parsed from their JSON, the shape JSON.stringify walks fastest): the raw inserts start
  // from rows they already hold
  const rows = (topic: string, values: Array<Trajectory | CptSample>) => {
    const spec = tableForTopic(tables, topic);
    return { table: spec.table, rows: values.map((v, i) => JSON.parse(spec.mapping.toJson(v as unknown as Record<string, unknown>, `,"kafka_topic":"${topic}","kafka_partition":${i % 4},"kafka_offset":${i}`)) as Record<string, unknown>) };
  };
  const inputs = [rows('fw.rollout.trajectories', trajectories), rows('fw.cpt.samples', cpt)];
  const best = { sink: Infinity, writer: Infinity, client: Infinity, consume: Infinity, lines: Infinity };
  const cpuOf: Record<string, number> = {};
  const profileTo = process.env.BENCH_PROFILE;
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      const names = new TopicNames(`${prefix}r${rep}.`);
      await ensureTopics(admin, topicCatalogue(), names);
      const producer = kafka.producer();
      await producer.connect();
      for (const { topic, messages } of encoded) {
        for (let i = 0; i < messages.length; i += 2000) await producer.send({ topic: names.physical(topic), messages: messages.slice(i, i + 2000) });
      }
      await producer.disconnect();

      const running = await startAnalytics({ env: { ...env, TOPIC_PREFIX: names.prefix, CLICKHOUSE_DATABASE: `bench_sink_${rep}` }, http: false, progressEveryMs: 0, logger });
      try {
        // background merges are deferred work of whichever measurement wrote the parts, and would land on the next
        // one (the sink of a repetition paid for the merges of the previous repetition's two raw inserts)
        await running.client.command({ query: 'SYSTEM STOP MERGES' });
        const count = async (db: string) => {
          const r = await running.client.query({ query: `SELECT (SELECT count() FROM ${db}.trajectories) + (SELECT count() FROM ${db}.cpt_samples) AS n`, format: 'JSONEachRow' });
          return Number((await r.json<{ n: number }>())[0].n);
        };
        const insertAll = async (db: string, insert: (table: string, list: Array<Record<string, unknown>>) => Promise<unknown>) => {
          await applyDdl(running.client, db, tables);
          const started = performance.now();
          const cpu = process.cpuUsage();
          for (const { table, rows: list } of inputs) {
            for (let i = 0; i < list.length; i += batchRows) await insert(table, list.slice(i, i + batchRows));
          }
          const seconds = (performance.now() - started) / 1000;
          cpuOf[db.replace(/_\d+$/, '')] = cpuSeconds(cpu);
          if ((await count(db)) !== n) throw new Error(`raw insert into ${db} lost rows`);
          return seconds;
        };
        // rows acknowledged by the engine are visible: watch the sink's own counter (an in-process read) rather
        // than poll count() through the engine the sink is inserting into, then check the count once
        const written = async () => (await running.metrics.recordsOut.get()).values.reduce((sum, v) => sum + v.value, 0);
        const profile = profileTo && rep === repetitions - 1 ? await startProfile() : undefined;
        const cpu = process.cpuUsage();
        while (!running.sink.joined) await sleep(5);
        // from the join itself: the consumer may have joined, fetched and started before this loop looked
        const start = running.sink.joinedAt!;
        while ((await written()) < n) await sleep(5);
        const sinkSeconds = (performance.now() - start) / 1000;
        const sinkCpu = cpuSeconds(cpu);
        if (profile) fs.writeFileSync(profileTo!, JSON.stringify(await profile()));
        if ((await count(`bench_sink_${rep}`)) !== n) throw new Error(`the sink wrote ${await count(`bench_sink_${rep}`)} rows, expected ${n}`);
        const writer = clickHouseWriter(running.client, `bench_raw_${rep}`, running.rawInsert);
        const raws = [
          ['writer', () => insertAll(`bench_raw_${rep}`, (table, list) => writer.insert(table, jsonRows(list)))],
          ['client', () => insertAll(`bench_client_${rep}`, (table, list) => running.client.insert({ table: `bench_client_${rep}.${table}`, values: list, format: 'JSONEachRow' }))],
        ] as const;
        const seconds: Record<string, number> = { sink: sinkSeconds };
        for (const [name, fn] of rep % 2 ? [...raws].reverse() : raws) seconds[name] = await fn();
        // where the sink's time goes beyond the insert: a bare consumer of the same topics with the sink's fetch
        // sizes (kafkajs fetch + record decode, nothing else), and decode + row lines of the same records
        [seconds.consume, cpuOf.consume] = await consumeOnly(kafka, names, `${prefix}r${rep}.consume-only`, n, logger);
        seconds.lines = decodeAndRender(serde, tables, encoded);
        const load = os.loadavg()[0].toFixed(1);
        note(
          `rep ${rep + 1} (load ${load}): sink ${seconds.sink.toFixed(2)} s (${sinkCpu.toFixed(2)} s CPU), raw through the writer ${seconds.writer.toFixed(2)} s (${cpuOf.bench_raw.toFixed(2)} s CPU), ` +
            `raw client.insert ${seconds.client.toFixed(2)} s; Kafka consume only ${seconds.consume.toFixed(2)} s (${cpuOf.consume.toFixed(2)} s CPU), Avro → row lines only ${seconds.lines.toFixed(2)} s (${n} rows)`,
        );
        for (const key of Object.keys(best) as Array<keyof typeof best>) best[key] = Math.min(best[key], seconds[key]);
      } finally {
        await running.stop();
      }
    }
  } finally {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    fs.rmSync(home, { recursive: true, force: true });
  }
  const raw = compared('raw insert, the sink\'s writer (JSONEachRow Buffer, pre-built rows)', n / best.writer, 'rows/s');
  const viaClient = compared('raw client.insert (JSONEachRow rows, pre-built)', n / best.client, 'rows/s');
  return [
    compared(`analytics sink, Kafka → ClickHouse (${n} records, batches of ${batchRows})`, n / best.sink, 'rows/s', raw),
    compared('analytics sink vs the client.insert path', n / best.sink, 'rows/s', viaClient),
    raw,
    compared('raw insert through the writer vs client.insert', n / best.writer, 'rows/s', viaClient),
    compared('Kafka consume only (kafkajs fetch + decode, the sink\'s fetch sizes)', n / best.consume, 'rows/s', raw),
    compared('Avro records → row lines only (the sink\'s transcoder; no Kafka, no insert)', n / best.lines, 'rows/s', raw),
  ];
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Seconds (and CPU seconds) from joining the group until a consumer that does nothing has seen `n` records. */
async function consumeOnly(kafka: KafkaClient, names: TopicNames, groupId: string, n: number, logger: Logger): Promise<[number, number]> {
  const input = new PartitionInput(kafka, { groupId, topics: topicCatalogue().all().map((t) => names.physical(t.name)), partitionsConcurrently: 1, logger, ...SINK_FETCH });
  let seen = 0;
  await input.start(async (batch) => {
    seen += batch.messages.length;
    if (batch.messages.length) batch.resolve(batch.messages[batch.messages.length - 1].offset);
  });
  try {
    while (!input.ready()) await sleep(5);
    const start = performance.now();
    const cpu = process.cpuUsage();
    while (seen < n) await sleep(5);
    return [(performance.now() - start) / 1000, cpuSeconds(cpu)];
  } finally {
    await input.stop();
  }
}

/** Seconds to turn every record into its JSONEachRow line, as the sink does (Avro body → bytes), on this thread alone. */
function decodeAndRender(serde: SingleObjectSerde, tables: TableSpec[], encoded: Array<{ topic: string; messages: Array<{ value: Buffer }> }>): number {
  const start = performance.now();
  const out = new JsonBytes();
  for (const { topic, messages } of encoded) {
    const spec = tableForTopic(tables, topic);
    const schema = topicCatalogue().get(topic).value;
    const position = `,"kafka_topic":"${topic}","kafka_partition":0,"kafka_offset":`;
    messages.forEach((m, i) => {
      if (i % 5000 === 0) out.pos = 0; // batch-sized, as the sink's buffers
      if (!transcodeLine(spec.transcoder, m.value, serde.sameSchemaBody(m.value, schema), out, position + i)) throw new Error(`${topic} record ${i} took the decode path`);
    });
  }
  return (performance.now() - start) / 1000;
}

/** CPU profile of this process from now until the returned function is called (BENCH_PROFILE=<file>). */
async function startProfile(): Promise<() => Promise<object>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

runIfMain(import.meta.url, 'analytics sink vs raw insert (embedded ClickHouse)', run);
