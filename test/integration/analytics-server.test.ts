import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQuerier } from '../../services/analytics/querier.ts';
import { ReadOnlyViolationError } from '../../services/analytics/query.ts';
import { startAnalytics } from '../../services/analytics/service.ts';
import { createClickHouse, type ClickHouseClient } from '../../services/platform/clickhouse.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';
import { ClickHouseHttpBridge, freePort } from './analytics-http-bridge.ts';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-chserver-'));
let engine: ClickHouseClient;
let bridge: ClickHouseHttpBridge;

beforeAll(async () => {
  ({ client: engine } = await createClickHouse({ FLYWHEEL_HOME: home }));
  bridge = new ClickHouseHttpBridge(engine, await freePort());
});
afterAll(async () => {
  await bridge?.stop();
  await engine?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const cpt = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ ...sampleValues()['fw.cpt.samples'], id: `cpt-${from + i}`, text: `text ${from + i}` }));

async function countRows(): Promise<number> {
  const r = await engine.query({ query: 'SELECT count() AS n FROM server_mode.cpt_samples FINAL', format: 'JSONEachRow' });
  return Number((await r.json<{ n: number }>())[0].n);
}

describe('analytics against a ClickHouse server (CLICKHOUSE_URL)', () => {
  it('waits for a server that is not up yet, lags through an outage without committing, then catches up', async () => {
    const env = new TestEnv();
    await env.createTopics();
    await env.produce('fw.cpt.samples', cpt(0, 100));
    const sinkEnv = {
      ...env.env, CLICKHOUSE_URL: bridge.url, CLICKHOUSE_DATABASE: 'server_mode',
      ANALYTICS_FLUSH_MS: '150', ANALYTICS_RETRY_MAX_MS: '300', ANALYTICS_LAG_EVERY_MS: '0', ANALYTICS_BATCH_ROWS: '40',
    };
    const starting = startAnalytics({ env: sinkEnv });
    await sleep(1500); // nothing listens on the port yet: the service keeps trying
    expect(bridge.requests).toBe(0);
    await bridge.start();
    const running = await starting;
    const admin = env.kafka.admin();
    await admin.connect();
    const committed = async () => {
      const offsets = await admin.fetchOffsets({ groupId: running.groupId, topics: [env.topic('fw.cpt.samples')] });
      return offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    try {
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);
      expect(await countRows()).toBe(100);

      await bridge.stop(); // the server goes away mid-stream
      await env.produce('fw.cpt.samples', cpt(100, 250));
      const deadline = Date.now() + 30_000;
      while (running.ready() && Date.now() < deadline) await sleep(100);
      expect(running.ready()).toBe(false);
      await sleep(1000);
      expect(await committed()).toBe(100); // nothing past what the server acknowledged

      await bridge.start();
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);
      expect(await countRows()).toBe(250);
      expect(await committed()).toBe(250);

      // flywheel sql in server mode: readonly on every request, writes refused
      const querier = await openQuerier({ ...env.config, CLICKHOUSE_URL: bridge.url, CLICKHOUSE_DATABASE: 'server_mode' });
      try {
        expect(querier.via).toBe(`server ${bridge.url}`);
        const result = await querier.query('SELECT count() AS n FROM server_mode.cpt_samples FINAL');
        expect(Number(result.rows[0].n)).toBe(250);
        await expect(querier.query('DROP TABLE server_mode.cpt_samples')).rejects.toBeInstanceOf(ReadOnlyViolationError);
      } finally {
        await querier.close();
      }
    } finally {
      await admin.disconnect();
      await running.stop();
      await env.cleanup();
    }
  });
});
