import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createKafka } from './client.ts';
import { StableOffsetReader } from './stable-offsets.ts';

// Real broker: the pending state of a transaction's offsets is what this reader exists to see.
describe('StableOffsetReader (OffsetFetch v7, require_stable)', () => {
  const kafka = createKafka(loadPlatformConfig(process.env), createLogger({ level: 'error' }), 'stable-offsets-test');
  const topic = `stable-${randomBytes(4).toString('hex')}`;
  const groupId = `${topic}-group`;
  const reader = new StableOffsetReader(kafka, { timeoutMs: 1500, retryMs: 100 });
  afterAll(() => reader.disconnect());

  it('answers -1 for a group without commits, refuses to answer while a transaction holds offsets, then gives the committed one', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    expect(await reader.fetch(groupId, topic, [0, 1])).toEqual([
      { topic, partition: 0, offset: -1n },
      { topic, partition: 1, offset: -1n },
    ]);

    const producer = kafka.producer({ transactionalId: `${topic}-txn`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'x' }] });
    await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 1, offset: '42' }] }] });

    // pending: the broker says UNSTABLE_OFFSET_COMMIT until the transaction ends, the reader keeps asking, then gives up
    await expect(reader.fetch(groupId, topic, [1])).rejects.toMatchObject({ code: 'UNSTABLE_OFFSETS', retriable: true });

    await txn.commit();
    await producer.disconnect();
    expect(await reader.fetch(groupId, topic, [0, 1])).toEqual([
      { topic, partition: 0, offset: -1n },
      { topic, partition: 1, offset: 42n },
    ]);

    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  });
});
