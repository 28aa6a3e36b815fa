import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CptSample, Document } from '../../services/platform/generated/records.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { defineStage } from '../../services/platform/runtime/stage.ts';
import { cptDocsStage } from '../../services/cpt-docs/stage.ts';
import { TestEnv } from '../support.ts';
import { cptIdOf, makeDocs } from './docs.ts';

/**
 * Regression test for a runtime bug found by the SIGKILL suite (services/platform/runtime/runner.ts).
 *
 * The consumer reads a partition's committed offset when it joins, but the partition's transactional producer
 * (which fences the previous owner and waits for its transaction to finish) connected only when the first batch
 * arrived. If the previous owner's transaction committed in between, the batch used to be processed twice. The
 * runner re-reads the committed offset once the transactor has connected and skips records below it; it now also
 * acquires each partition as soon as it is assigned, so the previous owner is fenced before any batch arrives.
 *
 * The previous owner here is a producer with the partition's transactional id and an open transaction
 * (outputs for the partition's records + their offsets). The input records themselves sit in a second open
 * transaction, so the new owner sees no batch until after the previous owner has committed.
 */
function sample(doc: Document): CptSample {
  return {
    id: cptIdOf(doc), round: 1, parent_ids: [doc.id], producer: { service: 'previous-owner', version: '0', instance: '' }, created_at: 1,
    origin: 'document', text: doc.text, source_round: doc.round, approx_tokens: 1,
  };
}

describe('reliability: the previous owner commits after the new owner read its offsets', () => {
  const env = new TestEnv();
  const groupId = `${env.prefix}fw.${cptDocsStage.name}`;
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  // The runner now acquires a partition when it is assigned, not at its first batch: the previous owner is fenced
  // before any record of the partition arrives, so its pending commit is refused and the new owner does the work.
  it('a batch is not processed twice: the previous owner is fenced as soon as the partition is assigned', async () => {
    const input = env.topic('fw.docs');
    const output = env.topic('fw.cpt.samples');
    const docs = makeDocs('fence', 0, 5);

    const writer = env.kafka.producer({ transactionalId: `${env.prefix}input-writer`, idempotent: true, maxInFlightRequests: 1 });
    await writer.connect();
    const inputTxn = await writer.transaction();
    await inputTxn.send({ topic: input, messages: await Promise.all(docs.map(async (d) => ({ partition: 0, key: d.id, value: await env.serde.encode('fw.Document', d, input) }))) });

    const previous = env.kafka.producer({ transactionalId: `${groupId}-${input}-0`, idempotent: true, maxInFlightRequests: 1 });
    await previous.connect();
    const previousTxn = await previous.transaction();
    await previousTxn.send({ topic: output, messages: await Promise.all(docs.map(async (d) => ({ key: cptIdOf(d), value: await env.serde.encode('fw.CptSample', sample(d), output) }))) });
    await previousTxn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(docs.length) }] }] });

    const logged: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logged.push(line) } });
    const running = await startStage(cptDocsStage, { env: { ...env.env, CPT_DOCS_MIN_CHARS: '1' }, http: false, progressEveryMs: 0, logger });
    try {
      // no record of partition 0 is readable yet (the input transaction is open), and still the partition is acquired
      while (!logged.some((line) => line.includes('partition acquired') && line.includes(`${input}[0]`))) await sleep(50);
      await expect(previousTxn.commit()).rejects.toThrow();
      await previous.disconnect();
      await inputTxn.commit(); // now the new owner gets the batch
      await writer.disconnect();
      await env.drain([{ groupId, inputs: ['fw.docs'] }], 60_000);
    } finally {
      await running.stop();
    }
    const ids = (await env.read('fw.cpt.samples')).map((s) => s.id);
    expect(ids.sort()).toEqual(docs.map(cptIdOf).sort());
  }, 120_000);

  // Open (found by the SIGKILL suite after the fix above): kafkajs' producer.connect() initialises only the
  // idempotent producer id, without the transactional id; the transactional InitProducerId, which is what fences
  // the previous owner, happens at the first producer.transaction(). So the offsets re-read after connect() can
  // still be stale, and a previous owner that commits while the new owner processes its first batch is not
  // fenced in time. Fix: fence in PartitionTransactor.connect() (e.g. begin and abort an empty transaction, which
  // runs the transactional InitProducerId without sending EndTxn), then read the floor.
  it('a batch is not processed twice when the previous owner tries to commit during the first batch', async () => {
    let started!: () => void;
    const processing = new Promise<void>((resolve) => (started = resolve));
    const slow = defineStage({
      ...cptDocsStage,
      name: 'fence-probe',
      concurrency: 1,
      async process(record, ctx) {
        started();
        await sleep(3000);
        return cptDocsStage.process(record, ctx as never);
      },
    });
    const probeGroup = `${env.prefix}fw.${slow.name}`;
    const input = env.topic('fw.docs');
    const output = env.topic('fw.cpt.samples');
    const docs = makeDocs('fence2', 0, 3);
    const producer = env.kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: input, messages: await Promise.all(docs.map(async (d) => ({ partition: 2, key: d.id, value: await env.serde.encode('fw.Document', d, input) }))) });
    await producer.disconnect();

    const previous = env.kafka.producer({ transactionalId: `${probeGroup}-${input}-2`, idempotent: true, maxInFlightRequests: 1 });
    await previous.connect();
    const previousTxn = await previous.transaction();
    await previousTxn.send({ topic: output, messages: await Promise.all(docs.map(async (d) => ({ key: cptIdOf(d), value: await env.serde.encode('fw.CptSample', sample(d), output) }))) });
    await previousTxn.sendOffsets({ consumerGroupId: probeGroup, topics: [{ topic: input, partitions: [{ partition: 2, offset: String(docs.length) }] }] });

    const running = await startStage(slow, { env: { ...env.env, CPT_DOCS_MIN_CHARS: '1' }, http: false, progressEveryMs: 0 });
    try {
      await processing; // the new owner connected its transactor (fencing the previous owner) and read the floor
      await expect(previousTxn.commit()).rejects.toThrow(); // the zombie is fenced: its transaction is aborted
      await previous.disconnect();
      await env.drain([{ groupId: probeGroup, inputs: ['fw.docs'] }], 60_000);
    } finally {
      await running.stop();
    }
    const ids = (await env.read('fw.cpt.samples')).map((s) => s.id).filter((id) => docs.some((d) => cptIdOf(d) === id));
    expect(ids.sort()).toEqual(docs.map(cptIdOf).sort());
  }, 120_000);
});
