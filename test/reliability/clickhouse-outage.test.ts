import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalytics } from '../../services/analytics/service.ts';
import type { RowWriter } from '../../services/analytics/sink.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';
import { printReport, sleep, type ReportRow } from './harness.ts';

/**
 * (d) ClickHouse (the real embedded engine) is unavailable for a while, then comes back but loses the
 * acknowledgement of its first inserts: the rows were written, the sink saw an error and sends them again.
 * The sink must catch up with every record, and the views (FINAL, keyed by record id) count each once.
 * test/integration/analytics-sink.test.ts covers a restart of the sink during the outage.
 */
const rows: ReportRow[] = [];
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-ch-outage-'));

describe('reliability: ClickHouse outage', () => {
  const env = new TestEnv();
  beforeAll(() => env.createTopics());
  afterAll(async () => {
    printReport('reliability: ClickHouse outage', rows);
    await env.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the sink waits out the outage, survives lost acks, and counts every record once', async () => {
    const cpt = sampleValues()['fw.cpt.samples'];
    const total = 600;
    const values = Array.from({ length: total }, (_, i) => ({ ...cpt, id: `cpt-outage-${i}`, text: `sample ${i}` }));
    await env.produce('fw.cpt.samples', values.slice(0, 400));

    let phase: 'down' | 'lost-acks' | 'up' = 'down';
    let refused = 0;
    let lostAcks = 0;
    const faulty = (writer: RowWriter): RowWriter => ({
      async insert(table, batch) {
        if (phase === 'down') {
          refused++;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
        }
        await writer.insert(table, batch);
        if (phase === 'lost-acks' && table === 'cpt_samples' && lostAcks < 3) {
          lostAcks++;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
      },
    });
    const running = await startAnalytics({
      env: { ...env.env, FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'outage', ANALYTICS_FLUSH_MS: '150', ANALYTICS_LAG_EVERY_MS: '0', ANALYTICS_BATCH_ROWS: '100', ANALYTICS_RETRY_MAX_MS: '300' },
      wrapWriter: faulty,
    });
    try {
      while (refused < 5) await sleep(100);
      await env.produce('fw.cpt.samples', values.slice(400)); // input keeps arriving during the outage
      phase = 'lost-acks';
      while (lostAcks < 3) await sleep(100);
      phase = 'up';
      await env.drain([{ groupId: running.groupId, inputs: running.inputs }], 120_000);

      const query = async (sql: string) => (await running.client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, string>>();
      const [raw] = await query('SELECT count() AS n FROM outage.cpt_samples');
      const [final] = await query("SELECT count() AS n, uniqExact(id) AS ids FROM outage.cpt_samples FINAL WHERE id LIKE 'cpt-outage-%'");
      const distinct = Number(final.ids);
      rows.push({ fault: 'ClickHouse down, then lost insert acks', injected: refused + lostAcks, recordsIn: total, recordsOut: Number(final.n), lost: total - distinct, duplicated: Number(final.n) - distinct });

      expect(lostAcks).toBe(3);
      // rows sent twice are stored twice until a merge; FINAL (what the views use) counts each record once
      console.log(`ClickHouse outage: ${refused} refused inserts, ${lostAcks} lost acks, ${raw.n} stored rows before merges`);
      expect(Number(final.n)).toBe(total);
      expect(distinct).toBe(total);
    } finally {
      await running.stop();
    }
  }, 300_000);
});
