import net from 'node:net';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StableOffsetReader } from '../../services/platform/kafka/stable-offsets.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { PartitionOwner } from '../../services/platform/runtime/partition-owner.ts';
import { TestEnv } from '../support.ts';

/**
 * Regression test for a runtime bug (now fixed), reduced to one deterministic case (services/platform/runtime/transaction.ts), found by
 * the broker-restart run: the connection drops while a commit's EndTxn is in flight. kafkajs leaves its
 * transactional producer in COMMITTING, and a transactor that kept that producer failed every later commit with
 * "Cannot call beginTransaction in state COMMITTING" — a non-retriable error that crashed the consumer for good.
 * Now the partition's owner (PartitionOwner, the one owner of transaction recovery) replaces the transactor after
 * any failed commit: the new producer's InitProducerId settles the half-finished transaction, and the committed
 * offset is read again (stable) before anything is re-processed.
 *
 * The fault is injected at the socket (kafkajs' socketFactory) against the real broker: the socket is cut
 * when an EndTxn request (API key 26) is written.
 */
const END_TXN = 26;
let cutEndTxn = false;
const faultySockets: ISocketFactory = ({ host, port, onConnect }) => {
  const socket = net.connect({ host, port }, onConnect);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((data: Buffer, ...rest: unknown[]) => {
    if (cutEndTxn && Buffer.isBuffer(data) && data.length >= 6 && data.readInt16BE(4) === END_TXN) {
      socket.destroy(new Error('injected: connection lost while EndTxn was in flight'));
      return false;
    }
    return write(data, ...rest);
  }) as typeof socket.write;
  return socket;
};

describe('reliability: a commit interrupted by a lost connection', () => {
  const env = new TestEnv();
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('the partition transactor commits again once the connection is back', async () => {
    const kafka = new Kafka({ brokers: env.config.KAFKA_BROKERS, clientId: 'transactor-probe', socketFactory: faultySockets, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });
    const offsets = new StableOffsetReader(kafka);
    const owner = new PartitionOwner(kafka, offsets, `${env.prefix}probe-group`, { topic: env.topic('fw.docs'), partition: 0 }, createLogger({ level: 'silent' }));
    const messages = (n: number) => [{ topic: env.topic('fw.drops'), key: `k${n}`, value: Buffer.from(`v${n}`) }];
    try {
      await owner.acquire();
      expect(owner.floor).toBe(-1n);
      await owner.commit(messages(1), 1n);
      cutEndTxn = true;
      await expect(owner.commit(messages(2), 2n)).rejects.toThrow();
      cutEndTxn = false;
      await owner.acquire(); // a new producer fences the half-finished one; the floor is what really committed
      expect([1n, 2n]).toContain(owner.floor);
      await owner.commit(messages(3), 3n); // used to fail: "Cannot call beginTransaction in state COMMITTING"
      await owner.release();
      await owner.acquire();
      expect(owner.floor).toBe(3n);
    } finally {
      cutEndTxn = false;
      await owner.release();
      await offsets.disconnect();
    }
  }, 120_000);

  // The runner acquires partitions as soon as they are assigned, outside any batch, so a rebalance can take a
  // partition away while it is being acquired: the acquisition must then keep no producer for it.
  it('an acquisition overtaken by a release keeps no producer, and a later one works', async () => {
    const kafka = new Kafka({ brokers: env.config.KAFKA_BROKERS, clientId: 'transactor-release-probe', logLevel: logLevel.NOTHING });
    const offsets = new StableOffsetReader(kafka);
    const owner = new PartitionOwner(kafka, offsets, `${env.prefix}release-group`, { topic: env.topic('fw.docs'), partition: 1 }, createLogger({ level: 'silent' }));
    const messages = [{ topic: env.topic('fw.drops'), key: 'k', value: Buffer.from('v') }];
    try {
      const acquiring = owner.acquire();
      await owner.release();
      await expect(acquiring).rejects.toThrow(/released while being acquired/);
      await expect(owner.commit(messages, 1n)).rejects.toThrow(/not acquired/);
      await owner.acquire();
      await owner.commit(messages, 1n);
      expect(owner.floor).toBe(1n);
    } finally {
      await owner.release();
      await offsets.disconnect();
    }
  }, 120_000);
});
