import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../../services/platform/config.ts';
import { topicCatalogue } from '../../services/platform/catalogue.ts';
import { createKafka } from '../../services/platform/kafka/client.ts';
import { followTopic } from '../../services/platform/kafka/follow.ts';
import { openTail, readTopic, TopicReadTimeoutError, type TailRecord } from '../../services/platform/kafka/tail.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { documents } from '../fixtures/documents.ts';
import { TestEnv } from '../support.ts';

// Real broker: transaction markers and aborted records are what the catch-up rule has to get right.
describe('the topic reader (platform/kafka/tail.ts)', () => {
  const kafka = createKafka(loadPlatformConfig(process.env), createLogger({ level: 'error' }), 'topic-reader-test');
  const prefix = `reader-${randomBytes(4).toString('hex')}`;
  const topics: string[] = [];
  const producers: Producer[] = [];

  const createTopic = async (name: string, partitions = 2) => {
    const topic = `${prefix}-${name}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION while metadata propagates: poll instead
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: false });
      for (let attempt = 0; ; attempt++) {
        const answered = await admin.fetchTopicOffsets(topic).then(() => true, (error) => (attempt < 100 ? false : Promise.reject(error)));
        if (answered) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.disconnect();
    }
    topics.push(topic);
    return topic;
  };
  const transactional = async (id: string) => {
    const producer = kafka.producer({ transactionalId: `${prefix}-${id}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    producers.push(producer);
    return producer;
  };
  /** The partition's end as read_committed sees it (the last stable offset). */
  const stableEnd = async (topic: string, partition: number) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return BigInt((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)!.high);
    } finally {
      await admin.disconnect();
    }
  };
  /**
   * One transaction of `values` on `partition`, committed or aborted, and stable: commit() returns once the
   * coordinator logged the decision, and the markers that move the stable end follow right after.
   */
  const inTransaction = async (producer: Producer, topic: string, partition: number, values: string[], end: 'commit' | 'abort' = 'commit') => {
    const before = await stableEnd(topic, partition);
    const txn = await producer.transaction();
    await txn.send({ topic, messages: values.map((value) => ({ partition, key: value, value })) });
    await (end === 'commit' ? txn.commit() : txn.abort());
    const marked = before + BigInt(values.length) + 1n;
    for (let attempt = 0; attempt < 200 && (await stableEnd(topic, partition)) < marked; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const values = (records: TailRecord[]) => records.map((r) => `${r.partition}:${r.value!.toString()}`);

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  describe('catches up on a topic whose partitions end in transaction markers', () => {
    let topic: string;
    beforeAll(async () => {
      topic = await createTopic('markers');
      const a = await transactional('a');
      const b = await transactional('b');
      // partition 0: two producers, so it ends in a commit marker behind another commit marker
      await inTransaction(a, topic, 0, ['a1', 'a2']);
      await inTransaction(b, topic, 0, ['b1']);
      // partition 1: committed data, then an aborted transaction (records + abort marker) at the end
      await inTransaction(a, topic, 1, ['c1']);
      await inTransaction(b, topic, 1, ['x1', 'x2'], 'abort');
    });

    it('delivers every committed record and none of the aborted ones, without waiting out a quiet period', async () => {
      // no idle timer exists: had the reader waited for a record at an offset held by a marker, it would hit the deadline
      const records = await readTopic(kafka, topic, { deadlineMs: 30_000 });
      expect(values(records)).toEqual(['0:a1', '0:a2', '0:b1', '1:c1']);
      expect(records.map((r) => r.offset)).toEqual(['0', '1', '3', '0']);
    });

    it('reads a slice [from, until) and stops there', async () => {
      const records = await readTopic(kafka, topic, { from: new Map([[0, 1n]]), until: new Map([[0, 4n]]) });
      expect(values(records)).toEqual(['0:a2', '0:b1']);
    });

    it('treats a slice that holds only markers and aborted records as read, with nothing delivered', async () => {
      // partition 1: c1@0, its marker@1, x1@2, x2@3, abort marker@4
      expect(await readTopic(kafka, topic, { from: new Map([[1, 1n]]), until: new Map([[1, 5n]]), deadlineMs: 30_000 })).toEqual([]);
    });
  });

  it('reads a partition holding nothing but an aborted transaction', async () => {
    const topic = await createTopic('aborted-only', 1);
    await inTransaction(await transactional('only-aborted'), topic, 0, ['y1', 'y2', 'y3'], 'abort');
    expect(await readTopic(kafka, topic, { deadlineMs: 30_000 })).toEqual([]);
  });

  it('delivers nothing of two interleaved aborted transactions, also when reading starts after both began', async () => {
    const topic = await createTopic('interleaved-aborts', 1);
    const [a, b] = [await transactional('interleaved-a'), await transactional('interleaved-b')];
    const [ta, tb] = [await a.transaction(), await b.transaction()];
    // a@0, b@1, a@2, b@3, then the two abort markers
    await ta.send({ topic, messages: [{ partition: 0, value: 'a1' }] });
    await tb.send({ topic, messages: [{ partition: 0, value: 'b1' }] });
    await ta.send({ topic, messages: [{ partition: 0, value: 'a2' }] });
    await tb.send({ topic, messages: [{ partition: 0, value: 'b2' }] });
    await ta.abort();
    await tb.abort();
    for (let attempt = 0; attempt < 200 && (await stableEnd(topic, 0)) < 6n; attempt++) await new Promise((resolve) => setTimeout(resolve, 50)); // see inTransaction
    expect(await readTopic(kafka, topic, { deadlineMs: 30_000 })).toEqual([]);
    expect(await readTopic(kafka, topic, { from: new Map([[0, 2n]]), deadlineMs: 30_000 })).toEqual([]);
  });

  it('does not wait for a transaction that is still open when reading starts', async () => {
    const topic = await createTopic('open', 1);
    const producer = await transactional('open');
    await inTransaction(producer, topic, 0, ['d1']);
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ partition: 0, value: 'pending' }] });
    // the end read_committed sees is the last stable offset: before the open transaction
    expect(values(await readTopic(kafka, topic, { deadlineMs: 30_000 }))).toEqual(['0:d1']);
    await open.commit();
    for (let attempt = 0; attempt < 200 && (await stableEnd(topic, 0)) < 4n; attempt++) await new Promise((resolve) => setTimeout(resolve, 50)); // see inTransaction
    expect(values(await readTopic(kafka, topic, { deadlineMs: 30_000 }))).toEqual(['0:d1', '0:pending']);
  });

  it('follows the topic after catching up, then stops on close', async () => {
    const topic = await createTopic('follow');
    const producer = await transactional('follow');
    await inTransaction(producer, topic, 0, ['e1']);
    const seen: string[] = [];
    let more!: () => void;
    const gotMore = new Promise<void>((resolve) => (more = resolve));
    const tail = await openTail(kafka, topic, {
      follow: true,
      deadlineMs: 30_000,
      onRecords: (records) => {
        seen.push(...values(records));
        if (seen.length >= 3) more();
      },
    });
    expect(tail.delivered).toBe(1);
    expect(seen).toEqual(['0:e1']);
    await inTransaction(producer, topic, 1, ['f1'], 'abort');
    await inTransaction(producer, topic, 1, ['f2']);
    await inTransaction(producer, topic, 0, ['f3']);
    await gotMore;
    await tail.close();
    expect(seen.sort()).toEqual(['0:e1', '0:f3', '1:f2']);
  });

  it('follows an empty topic: caught up at once, then delivers what is committed', async () => {
    const topic = await createTopic('follow-empty', 1);
    let got!: (records: TailRecord[]) => void;
    const first = new Promise<TailRecord[]>((resolve) => (got = resolve));
    const tail = await openTail(kafka, topic, { follow: true, deadlineMs: 30_000, onRecords: (records) => got(records) });
    expect(tail.delivered).toBe(0);
    await inTransaction(await transactional('follow-empty'), topic, 0, ['h1']);
    expect(values(await first)).toEqual(['0:h1']);
    await tail.close();
  });

  it('fails with an error naming the topic and the partitions behind when the end is not reached by the deadline', async () => {
    const topic = await createTopic('deadline', 1);
    await inTransaction(await transactional('deadline'), topic, 0, ['g1']);
    const reading = readTopic(kafka, topic, { until: new Map([[0, 10n]]), deadlineMs: 1500 });
    await expect(reading).rejects.toBeInstanceOf(TopicReadTimeoutError);
    await expect(reading).rejects.toThrow(new RegExp(`reading ${topic} to its end did not finish within 1500 ms \\(partition 0 at 2 of 10\\)`));
  });
});

describe('followTopic (stage state from a topic)', () => {
  const env = new TestEnv();
  beforeAll(async () => {
    await env.cluster.ensureTopics(topicCatalogue(), env.names, ['fw.docs']);
    await env.produce('fw.docs', documents(3), { raw: [Buffer.from('not avro')] });
  });
  afterAll(() => env.cleanup());

  it('loads decoded values, skipping a record that does not decode when told how', async () => {
    const ids: string[] = [];
    const undecodable: string[] = [];
    const followed = await followTopic({
      platform: env.config,
      logger: env.logger,
      topic: 'fw.docs',
      deadlineMs: 30_000,
      onValue: (doc) => ids.push(doc.id),
      onUndecodable: (_error, record) => undecodable.push(record.value!.toString()),
    });
    await followed.close();
    expect(ids).toHaveLength(3);
    expect(undecodable).toEqual(['not avro']);
  });

  it('fails to open with the decode error otherwise', async () => {
    const opening = followTopic({ platform: env.config, logger: env.logger, topic: 'fw.docs', deadlineMs: 30_000, onValue: () => undefined });
    await expect(opening).rejects.toMatchObject({ code: 'DECODE_FAILED' });
  });
});
