import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStage } from '../../services/memory/extract-stage.ts';
import { startStage, type RunningStage } from '../../services/platform/runtime/runner.ts';
import { drainByCount } from '../fixtures/knowledge-drain.ts';
import { fixtureMeta, TestEnv } from '../support.ts';

const doc = (title: string, text: string) => ({ ...fixtureMeta('doc'), source_kind: 'jsonl', source_uri: 'x', url: '', title, text, lang: 'en', content_hash: title, quality: {} });

describe('memory: mentions merge across documents (real broker)', () => {
  const env = new TestEnv({});
  let running: RunningStage;
  beforeAll(async () => {
    await env.createTopics();
    running = await startStage(createMemoryStage(), { env: env.env, http: false, progressEveryMs: 0 });
  });
  afterAll(async () => {
    await running?.stop();
    await env.cleanup();
  });

  it('files a later bare surname under the person an earlier document named, and counts the merge', async () => {
    const topics = [env.topic('fw.docs')];
    await env.produce('fw.docs', [doc('Liezel Huber', 'Liezel Huber (born 21 August 1976) is a South African-American retired tennis player.')]);
    await drainByCount(env.kafka, [{ running, topics }]);
    await env.produce('fw.docs', [doc('2012 Dubai Tennis Championships', 'In 2012 the doubles draw was strong. Huber played with Lisa Raymond as the first seed.')]);
    await drainByCount(env.kafka, [{ running, topics }]);

    const facts = await env.read('fw.memory.facts');
    const merged = facts.find((f) => f.statement.startsWith('Huber played with'));
    expect(merged).toMatchObject({ entity_id: 'liezel_huber', entity_name: 'Liezel Huber' });
    expect(merged!.entity_aliases).toContain('Huber');
    expect(facts.some((f) => f.entity_id === 'huber')).toBe(false);
    const counter = await running.metrics.registry.getSingleMetric('flywheel_memory_merged_mentions_total')?.get();
    expect(counter?.values.find((v) => v.labels.via === 'surname')?.value).toBeGreaterThanOrEqual(1);
  });
});
