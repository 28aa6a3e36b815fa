import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../services/platform/generated/records.ts';
import { readTopic } from '../../services/platform/kafka/tail.ts';
import { redriveDeadLetters } from '../../services/platform/runtime/redrive.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { DLQ_HEADERS } from '../../services/platform/runtime/dead-letter.ts';
import { cptDocsStage } from '../../services/cpt-docs/stage.ts';
import { documents } from '../fixtures/documents.ts';
import { flakyCopyStage } from '../fixtures/stages.ts';
import { TestEnv } from '../support.ts';

describe('poison records and the dead-letter topic', () => {
  const env = new TestEnv({ STAGE_RETRY_INITIAL_MS: '5', STAGE_RETRY_MAX_MS: '20' });
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('dead-letters undecodable and unprocessable records with their headers, keeps going, and redrives them once', async () => {
    const good = documents(30, { prefix: 'good', size: 200 });
    const empty = documents(3, { prefix: 'empty', text: () => '   ' });
    await env.produce('fw.docs', [...good.slice(0, 15), ...empty, ...good.slice(15)], {
      raw: [Buffer.from('{"not":"avro"}'), Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
    });

    const stage = await startStage(cptDocsStage, { env: env.env, http: false });
    await env.drain([stage]);
    await stage.stop();

    const samples = await env.read('fw.cpt.samples');
    expect(samples.map((s) => s.parent_ids[0]).sort()).toEqual(good.map((d) => d.id).sort());

    const dlqMessages = await readTopic(env.kafka, env.topic('fw.dlq'));
    expect(dlqMessages).toHaveLength(5);
    const letters = await Promise.all(dlqMessages.map((m) => env.serde.decode<DeadLetter>(m.value!, 'fw.DeadLetter', env.topic('fw.dlq'))));
    const codes = letters.map((l) => l.error_code).sort();
    expect(codes).toEqual(['DECODE_FAILED', 'DECODE_FAILED', 'POISON_RECORD', 'POISON_RECORD', 'POISON_RECORD']);
    for (const [i, m] of dlqMessages.entries()) {
      const h = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
      expect(h[DLQ_HEADERS.stage]).toBe('cpt-docs');
      expect(h[DLQ_HEADERS.topic]).toBe(env.topic('fw.docs'));
      expect(Number(h[DLQ_HEADERS.offset])).toBe(letters[i].original_offset);
      expect(h[DLQ_HEADERS.errorCode]).toBe(letters[i].error_code);
      expect(letters[i].original_value?.length).toBeGreaterThan(0);
    }
    expect(letters.find((l) => l.error_code === 'POISON_RECORD')?.error_message).toMatch(/has empty text/);
    expect(letters.find((l) => l.error_code === 'DECODE_FAILED')?.error_message).toMatch(/not Avro single-object encoded|unknown writer schema/);

    const docsBefore = (await readTopic(env.kafka, env.topic('fw.docs'))).length;
    const admin = env.kafka.admin();
    await admin.connect();
    try {
      const first = await redriveDeadLetters(env.kafka, admin, env.names, env.serde, { stage: 'cpt-docs' });
      expect(first.redriven).toBe(5);
      const second = await redriveDeadLetters(env.kafka, admin, env.names, env.serde, { stage: 'cpt-docs' });
      expect(second.redriven).toBe(0);
    } finally {
      await admin.disconnect();
    }
    const docsAfter = await readTopic(env.kafka, env.topic('fw.docs'));
    expect(docsAfter.length).toBe(docsBefore + 5);
    expect(docsAfter.filter((m) => m.headers?.['fw-redriven-from'])).toHaveLength(5);
  });

  it('retries transient failures with backoff instead of dead-lettering them', async () => {
    const local = new TestEnv({ STAGE_RETRY_INITIAL_MS: '5', STAGE_RETRY_MAX_MS: '20', STAGE_MAX_RETRIES: '5' });
    await local.createTopics();
    try {
      const inputs = documents(12, { prefix: 'flaky' });
      await local.produce('fw.docs', inputs);
      const stage = flakyCopyStage(2);
      const running = await startStage(stage, { env: local.env, http: false });
      await local.drain([running]);
      const retries = (await running.metrics.retries.get()).values.reduce((s, v) => s + v.value, 0);
      await running.stop();
      expect((await local.read('fw.cpt.samples')).length).toBe(12);
      expect(await local.read('fw.dlq')).toHaveLength(0);
      expect(retries).toBe(24);
    } finally {
      await local.cleanup();
    }
  });

  it('leaves records that were still being retried at shutdown uncommitted, not dead-lettered', async () => {
    const local = new TestEnv({ STAGE_RETRY_INITIAL_MS: '50', STAGE_RETRY_MAX_MS: '200', STAGE_MAX_RETRIES: '100' });
    await local.createTopics();
    try {
      const inputs = documents(6, { prefix: 'shutdown' });
      await local.produce('fw.docs', inputs);
      const failing = await startStage(flakyCopyStage(Number.MAX_SAFE_INTEGER), { env: local.env, http: false });
      while ((await failing.metrics.retries.get()).values.reduce((s, v) => s + v.value, 0) < 6) await new Promise((r) => setTimeout(r, 100));
      await failing.stop();
      expect(await local.read('fw.dlq')).toHaveLength(0);

      const recovered = await startStage(flakyCopyStage(0), { env: local.env, http: false });
      await local.drain([recovered]);
      await recovered.stop();
      expect(new Set((await local.read('fw.cpt.samples')).map((s) => s.parent_ids[0]))).toEqual(new Set(inputs.map((d) => d.id)));
    } finally {
      await local.cleanup();
    }
  });
});
