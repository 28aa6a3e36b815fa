import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cptDocsStage } from '../../services/cpt-docs/stage.ts';
import { readTopic } from '../../services/platform/kafka/tail.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';

/**
 * Secrets in a stage's environment never reach the records it writes: outputs, drops and dead letters
 * (whose envelope carries error messages and the original headers) are scanned byte for byte.
 */
const SECRET = 'sk-live-7f3a9c1e-never-in-a-record';

describe('security: secrets are never written into records', () => {
  const env = new TestEnv({ OPENAI_API_KEY: SECRET, CLICKHOUSE_PASSWORD: SECRET, CLICKHOUSE_USER: 'analyst', CPT_DOCS_MIN_CHARS: '40' });
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('outputs, drops and dead letters of a run hold no secret from the environment', async () => {
    const doc = sampleValues()['fw.docs'];
    await env.produce(
      'fw.docs',
      [
        { ...doc, id: 'doc_sec_ok', text: 'A document long enough to become a CPT sample of the next round.' },
        { ...doc, id: 'doc_sec_short', text: 'too short' },
        { ...doc, id: 'doc_sec_blank', text: '   ' },
      ],
      { raw: [Buffer.from('garbage bytes')] },
    );
    const running = await startStage(cptDocsStage, { env: env.env, http: false, progressEveryMs: 0 });
    try {
      await env.drain([{ groupId: running.groupId, inputs: cptDocsStage.inputs }]);
    } finally {
      await running.stop();
    }
    let scanned = 0;
    for (const topic of ['fw.cpt.samples', 'fw.drops', 'fw.dlq']) {
      const messages = await readTopic(env.kafka, env.topic(topic));
      for (const m of messages) {
        scanned++;
        const headers = Object.values(m.headers ?? {}).map((v) => String(v)).join('\n');
        expect(`${m.key?.toString('latin1')}\n${m.value?.toString('latin1')}\n${headers}`).not.toContain(SECRET);
      }
    }
    expect(scanned).toBe(4); // one sample, one drop, two dead letters
  }, 120_000);
});
