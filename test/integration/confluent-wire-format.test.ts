import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cptDocsStage } from '../../services/cpt-docs/stage.ts';
import { ConfluentSerde } from '../../services/platform/avro/serde.ts';
import { RecordValidationError } from '../../services/platform/errors.ts';
import type { CptSample } from '../../services/platform/generated/records.ts';
import { readTopic } from '../../services/platform/kafka/tail.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { startFakeSchemaRegistry } from '../fakes/schema-registry.ts';
import { documents } from '../fixtures/documents.ts';
import { TestEnv } from '../support.ts';

describe('Confluent wire format when SCHEMA_REGISTRY_URL is set', () => {
  let registry: Awaited<ReturnType<typeof startFakeSchemaRegistry>>;
  let env: TestEnv;
  beforeAll(async () => {
    registry = await startFakeSchemaRegistry();
    env = new TestEnv({ SCHEMA_REGISTRY_URL: registry.url });
    await env.createTopics();
  });
  afterAll(async () => {
    await env.cleanup();
    await registry.close();
  });

  it('encodes with magic byte 0 and a registry id, decodes, and still names a bad field', async () => {
    const serde = new ConfluentSerde(registry.url);
    const [doc] = documents(1, { prefix: 'cf' });
    const bytes = await serde.encode('fw.Document', doc, 'x.fw.docs');
    expect(bytes[0]).toBe(0);
    expect(registry.schemas.get(bytes.readInt32BE(1))).toContain('"fw.Document"');
    expect(await serde.decode(bytes, 'fw.Document')).toEqual(doc);
    await expect(serde.encode('fw.Document', { ...doc, round: 'one' }, 'x.fw.docs')).rejects.toThrowError(RecordValidationError);
  });

  it('runs a stage end to end in that format', async () => {
    const serde = new ConfluentSerde(registry.url);
    const inputs = documents(20, { prefix: 'cfstage', size: 200 });
    const producer = env.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: env.topic('fw.docs'),
      messages: await Promise.all(inputs.map(async (d) => ({ key: d.id, value: await serde.encode('fw.Document', d, env.topic('fw.docs')) }))),
    });
    await producer.disconnect();
    const running = await startStage(cptDocsStage, { env: env.env, http: false });
    await env.drain([running]);
    await running.stop();
    const out = await readTopic(env.kafka, env.topic('fw.cpt.samples'));
    expect(out).toHaveLength(20);
    expect(out.every((m) => m.value![0] === 0)).toBe(true);
    const decoded = await Promise.all(out.map((m) => serde.decode<CptSample>(m.value!, 'fw.CptSample')));
    expect(new Set(decoded.map((s) => s.parent_ids[0]))).toEqual(new Set(inputs.map((d) => d.id)));
  });
});
