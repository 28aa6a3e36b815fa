import kafkajs, { type Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../../services/platform/config.ts';
import type { Document } from '../../services/platform/generated/records.ts';
import { compressSends, defaultCompression } from '../../services/platform/kafka/compression.ts';
import { readTopic } from '../../services/platform/kafka/tail.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';

const codecs = ['none', 'gzip', 'lz4', 'zstd'] as const;

describe('producer compression (KAFKA_COMPRESSION)', () => {
  const envs: TestEnv[] = [];
  afterAll(async () => Promise.all(envs.map((e) => e.cleanup())));

  it('every codec round-trips through the real broker, and a process with another codec reads it', { timeout: 120_000 }, async () => {
    const plain = new TestEnv({ KAFKA_COMPRESSION: 'none' });
    envs.push(plain);
    for (const codec of codecs) {
      const writer = new TestEnv({ KAFKA_COMPRESSION: codec });
      envs.push(writer);
      await writer.createTopics();
      const docs = Array.from({ length: 20 }, (_, i) => ({ ...sampleValues()['fw.docs'], id: `doc-${codec}-${i}`, text: `${codec} ${i} `.repeat(50) }));
      await writer.produce('fw.docs', docs);
      const read = await readTopic(plain.kafka, writer.topic('fw.docs'));
      const values = await Promise.all(read.map((m) => plain.serde.decode<Document>(m.value!, 'fw.Document', writer.topic('fw.docs'))));
      expect(values.map((d) => d.id).sort(), codec).toEqual(docs.map((d) => d.id).sort());
      expect(values.find((d) => d.id === `doc-${codec}-3`)?.text).toBe(`${codec} 3 `.repeat(50));
    }
  });

  it('is the default of every send of every producer and transaction, unless a send names its own', async () => {
    const seen: unknown[] = [];
    const record = async (r: unknown) => (seen.push(r), []);
    const fake = { producer: () => ({ send: record, sendBatch: record, transaction: async () => ({ send: record, sendBatch: record }) }) } as unknown as Kafka;
    const producer = compressSends(fake, 'zstd').producer();
    await producer.send({ topic: 't', messages: [] });
    await producer.sendBatch({ topicMessages: [] });
    const txn = await producer.transaction();
    await txn.sendBatch({ topicMessages: [] });
    await producer.send({ topic: 't', messages: [], compression: kafkajs.CompressionTypes.None });
    expect(seen.map((r) => (r as { compression?: number }).compression)).toEqual([
      kafkajs.CompressionTypes.ZSTD,
      kafkajs.CompressionTypes.ZSTD,
      kafkajs.CompressionTypes.ZSTD,
      kafkajs.CompressionTypes.None,
    ]);
  });

  it('defaults to zstd when its codec is installed', () => {
    expect(defaultCompression()).toBe('zstd');
  });

  it('names the variable on a codec it does not know', () => {
    expect(() => loadPlatformConfig({ KAFKA_COMPRESSION: 'brotli' })).toThrow(/KAFKA_COMPRESSION="brotli"/);
  });
});
