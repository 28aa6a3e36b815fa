import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicCatalogue } from '../../services/platform/catalogue.ts';
import type { TopicName } from '../../services/platform/generated/records.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';

describe('every schema through the real broker', () => {
  const env = new TestEnv();
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('creates every catalogue topic with its partitions and cleanup policy', async () => {
    const admin = env.kafka.admin();
    await admin.connect();
    try {
      for (const spec of topicCatalogue().all()) {
        const offsets = await admin.fetchTopicOffsets(env.topic(spec.name));
        expect(offsets.length, spec.name).toBe(spec.partitions);
      }
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: env.topic('fw.memory.entities'), configNames: ['cleanup.policy'] }] });
      expect(configs.resources[0].configEntries[0].configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('produces and consumes one record of every topic, unchanged', async () => {
    const samples = sampleValues();
    const topics = Object.keys(samples) as TopicName[];
    expect(topics.sort()).toEqual(topicCatalogue().all().map((t) => t.name).sort());
    await Promise.all(topics.map((t) => env.produce(t, [samples[t]] as never)));
    for (const t of topics) {
      const back = await env.read(t);
      expect(back, t).toEqual([samples[t]]);
    }
  });
});
