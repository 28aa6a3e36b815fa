import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cptDocsStage } from '../../services/cpt-docs/stage.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { defineStage } from '../../services/platform/runtime/stage.ts';
import { documents } from '../fixtures/documents.ts';
import { TestEnv } from '../support.ts';

describe('operator endpoints of a running stage', () => {
  const env = new TestEnv();
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('serves /healthz, /readyz and Prometheus /metrics, and is not ready after stop', async () => {
    await env.produce('fw.docs', documents(10, { prefix: 'health', size: 300 }));
    const running = await startStage(cptDocsStage, { env: env.env });
    const base = `http://127.0.0.1:${running.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    let ready = 503;
    for (let i = 0; i < 100 && ready !== 200; i++, await sleep(100)) ready = (await fetch(`${base}/readyz`)).status;
    expect(ready).toBe(200);
    await env.drain([running]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/flywheel_records_in_total\{stage="cpt-docs",topic="fw.docs"\} 10/);
    expect(metrics).toMatch(/flywheel_records_out_total\{stage="cpt-docs",topic="fw.cpt.samples"\} 10/);
    expect(metrics).toMatch(/flywheel_transactions_total\{stage="cpt-docs",outcome="committed"\} \d+/);
    expect(metrics).toMatch(/flywheel_consumer_lag\{stage="cpt-docs",topic="fw.docs",partition="\d"\} 0/);
    expect(running.ready()).toBe(true);
    await running.stop();
    expect(running.ready()).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('shutdown is bounded: a stage that cannot finish stopping gives up at STAGE_SHUTDOWN_TIMEOUT_MS and reports failure', async () => {
    const stuck = defineStage({ ...cptDocsStage, name: 'stuck-teardown', teardown: () => new Promise<void>(() => undefined) });
    const running = await startStage(stuck, { env: { ...env.env, STAGE_SHUTDOWN_TIMEOUT_MS: '500' }, http: false, progressEveryMs: 0 });
    expect(running.failed()).toBe(false);
    await running.stop(); // resolves although the teardown never does
    expect(running.failed()).toBe(true);
  });
});
