import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startAnalytics, type RunningAnalytics } from '../../services/analytics/service.ts';
import type { RowWriter } from '../../services/analytics/sink.ts';
import { analyticsTables } from '../../services/analytics/tables.ts';
import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { TestEnv } from '../support.ts';
import { sampleValues } from '../fixtures/records.ts';

// chdb binds one data folder per process: every test of this file shares it, each in its own database.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-analytics-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function sinkEnv(env: TestEnv, database: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...env.env, FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: database, ANALYTICS_FLUSH_MS: '150', ANALYTICS_LAG_EVERY_MS: '0', ...extra };
}

async function produceAll(env: TestEnv, records: { [T in TopicName]?: Array<TopicValues[T]> }): Promise<number> {
  let n = 0;
  for (const [topic, values] of Object.entries(records) as Array<[TopicName, Array<TopicValues[TopicName]>]>) {
    await env.produce(topic, values as never);
    n += values.length;
  }
  return n;
}

async function counts(running: RunningAnalytics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of analyticsTables()) {
    const r = await running.client.query({ query: `SELECT count() AS n FROM ${running.database}.${t.table} FINAL`, format: 'JSONEachRow' });
    out[t.table] = Number((await r.json<{ n: number }>())[0].n);
  }
  return out;
}

/** n copies of every fixture record with fresh ids, one per catalogue topic. */
function fixtureRecords(n: number): { [T in TopicName]?: Array<TopicValues[T]> } {
  const samples = sampleValues() as Record<string, { id: string }>;
  return Object.fromEntries(Object.entries(samples).map(([topic, v]) => [topic, Array.from({ length: n }, (_, i) => ({ ...v, id: `${topic}-${i}` }))]));
}

describe('analytics sink', () => {
  it('writes every topic into typed tables; the same records delivered twice leave every count unchanged', async () => {
    const env = new TestEnv();
    await env.createTopics();
    const produced = await produceAll(env, fixtureRecords(3));
    let running = await startAnalytics({ env: sinkEnv(env, 'idem') });
    try {
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);
      const first = await counts(running);
      expect(Object.values(first).reduce((a, b) => a + b, 0)).toBe(produced);
      // trajectories come from three topics and stay apart (ordered by topic, id)
      expect(first.trajectories).toBe(9);
      expect(first.documents).toBe(3);

      // redelivery 1: a consumer group that starts over from the beginning (as after lost commits)
      await running.stop();
      // redelivery 2: a producer retry writes the same records again
      await produceAll(env, fixtureRecords(3));
      running = await startAnalytics({ env: sinkEnv(env, 'idem', { ANALYTICS_GROUP_ID: `${env.prefix}fw.analytics-replay` }) });
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);

      const written = (await running.metrics.recordsOut.get()).values.reduce((sum, v) => sum + v.value, 0);
      expect(written).toBe(2 * produced); // the replay really wrote every record again, twice
      expect(await counts(running)).toEqual(first);
      const funnel = await running.client.query({ query: 'SELECT step, sum(records) AS n FROM idem.funnel GROUP BY step ORDER BY step', format: 'JSONEachRow' });
      expect(Object.fromEntries((await funnel.json<{ step: string; n: number }>()).map((r) => [r.step, Number(r.n)]))).toMatchObject({ docs_kept: 3, rollouts: 3, sft: 3 });
    } finally {
      await running.stop();
      await env.cleanup();
    }
  });

  it('keeps offsets uncommitted while ClickHouse is down, survives a restart mid-outage, then catches up with nothing lost', async () => {
    const env = new TestEnv();
    await env.createTopics();
    const cpt = sampleValues()['fw.cpt.samples'];
    const values = Array.from({ length: 240 }, (_, i) => ({ ...cpt, id: `cpt-${i}`, text: `sample ${i}` }));

    let down = true;
    let failures = 0;
    let largestInsert = 0;
    const flaky = (writer: RowWriter): RowWriter => ({
      async insert(table, rows) {
        largestInsert = Math.max(largestInsert, rows.length);
        if (down) {
          failures++;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
        }
        await writer.insert(table, rows);
      },
    });
    const options = { env: sinkEnv(env, 'outage', { ANALYTICS_BATCH_ROWS: '50', ANALYTICS_RETRY_MAX_MS: '300' }), wrapWriter: flaky };
    let running = await startAnalytics(options);
    const admin = env.kafka.admin();
    await admin.connect();
    let mostBuffered = 0;
    const watch = setInterval(() => (mostBuffered = Math.max(mostBuffered, running.sink.bufferedRows())), 20);
    try {
      // records trickle in during the outage, a few per flush interval: the flush timer must not queue batch
      // after batch behind the failing write, or memory grows with the outage
      for (let i = 0; i < values.length; i += 10) {
        await env.produce('fw.cpt.samples', values.slice(i, i + 10));
        await sleep(120);
      }
      while (failures < 4) await sleep(100);
      expect(mostBuffered).toBeGreaterThan(0);
      expect(mostBuffered).toBeLessThanOrEqual(2 * 50); // 240 records waiting, at most two batches in memory
      const committed = await admin.fetchOffsets({ groupId: running.groupId, topics: [env.topic('fw.cpt.samples')] });
      expect(committed[0].partitions.every((p) => Number(p.offset) < 0)).toBe(true); // nothing committed without an ack
      expect(running.ready()).toBe(false); // readiness reports the outage
      const probe = async (path: string) => fetch(`http://127.0.0.1:${running.httpPort}${path}`);
      expect((await probe('/readyz')).status).toBe(503);
      expect((await probe('/healthz')).status).toBe(200); // down ClickHouse is not a reason to restart the sink
      expect(await (await probe('/metrics')).text()).toMatch(/flywheel_retries_total\{stage="analytics"\} [1-9]/);

      await running.stop(); // a restart while ClickHouse is still down: the final flush fails, nothing is committed
      failures = 0;
      running = await startAnalytics(options);
      while (failures < 2) await sleep(100);
      down = false;
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);

      const r = await running.client.query({ query: 'SELECT count() AS n, uniqExact(id) AS ids FROM outage.cpt_samples FINAL', format: 'JSONEachRow' });
      expect(await r.json()).toEqual([{ n: 240, ids: 240 }]);
      expect(largestInsert).toBeLessThanOrEqual(50); // the buffer stayed bounded by ANALYTICS_BATCH_ROWS
      expect(running.ready()).toBe(true);
      expect((await fetch(`http://127.0.0.1:${running.httpPort}/readyz`)).status).toBe(200);
    } finally {
      clearInterval(watch);
      await admin.disconnect();
      await running.stop();
      await env.cleanup();
    }
  });

  it('sends undecodable records to fw.dlq and commits past them', async () => {
    const env = new TestEnv();
    await env.createTopics();
    await env.produce('fw.docs', [sampleValues()['fw.docs']], { raw: [Buffer.from('not avro at all')] });
    const running = await startAnalytics({ env: sinkEnv(env, 'poison') });
    try {
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);
      const letters = await env.read('fw.dlq');
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ stage: 'analytics', error_code: 'POISON_RECORD', original_topic: env.topic('fw.docs') });
      // the sink consumes fw.dlq too: the dead letter shows up in its own table
      const deadline = Date.now() + 20_000;
      let rows: unknown[] = [];
      while (Date.now() < deadline && rows.length === 0) {
        rows = await (await running.client.query({ query: "SELECT stage, dead_letters FROM poison.dlq_counts WHERE stage = 'analytics'", format: 'JSONEachRow' })).json();
        if (!rows.length) await sleep(200);
      }
      expect(rows).toEqual([{ stage: 'analytics', dead_letters: 1 }]);
      const docs = await (await running.client.query({ query: 'SELECT count() AS n FROM poison.documents FINAL', format: 'JSONEachRow' })).json();
      expect(docs).toEqual([{ n: 1 }]);
    } finally {
      await running.stop();
      await env.cleanup();
    }
  });
  it('dead-letters rows ClickHouse refuses (a table drifted from its schema) and writes the rest', async () => {
    const env = new TestEnv();
    await env.createTopics();
    const running = await startAnalytics({ env: sinkEnv(env, 'rejects') });
    try {
      // a table that no longer matches its schema: only 'document' fits the column now
      await running.client.command({ query: "ALTER TABLE rejects.cpt_samples MODIFY COLUMN origin Enum8('document' = 1)" });
      const cpt = sampleValues()['fw.cpt.samples'];
      await env.produce('fw.cpt.samples', [
        ...Array.from({ length: 10 }, (_, i) => ({ ...cpt, id: `good-${i}`, origin: 'document' })),
        ...Array.from({ length: 2 }, (_, i) => ({ ...cpt, id: `bad-${i}`, origin: 'recycled_tool_call' })),
      ]);
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);
      const rows = await (await running.client.query({ query: 'SELECT count() AS n FROM rejects.cpt_samples FINAL', format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ n: 10 }]);
      const letters = (await env.read('fw.dlq')).filter((l) => l.stage === 'analytics');
      expect(letters.map((l) => l.error_code)).toEqual(['CLICKHOUSE_REJECTED', 'CLICKHOUSE_REJECTED']);
      const decoded = await Promise.all(letters.map((l) => env.serde.decode<{ id: string }>(l.original_value!, 'fw.CptSample', env.topic('fw.cpt.samples'))));
      expect(decoded.map((d) => d.id).sort()).toEqual(['bad-0', 'bad-1']); // the original bytes, ready for a redrive
    } finally {
      await running.stop();
      await env.cleanup();
    }
  });
});
