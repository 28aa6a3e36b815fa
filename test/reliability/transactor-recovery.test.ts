import net from 'node:net';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionTransactor } from '../../services/platform/runtime/transaction.ts';
import { TestEnv } from '../support.ts';

/**
 * Regression test for a runtime bug (now fixed), reduced to one deterministic case (services/platform/runtime/transaction.ts), found by
 * the broker-restart run: the connection drops while a commit's EndTxn is in flight. kafkajs leaves its
 * transactional producer in COMMITTING; PartitionTransactor marks itself ready again and keeps that producer,
 * so every later commit fails with "Cannot call beginTransaction in state COMMITTING" — a non-retriable error
 * that crashes the consumer for good (the stage process exits). Fix: when a commit fails and the abort fails
 * too, disconnect and recreate the producer (or mark the transactor broken so the runner replaces it, as it
 * does when fenced); initProducerId on the new producer resolves the half-finished transaction.
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
    const transactor = new PartitionTransactor(kafka, `${env.prefix}probe-transactor`);
    await transactor.connect();
    const batch = (n: number) => ({
      messages: [{ topic: env.topic('fw.drops'), key: `k${n}`, value: Buffer.from(`v${n}`) }],
      offsets: { groupId: `${env.prefix}probe-group`, topic: env.topic('fw.docs'), partition: 0, offset: String(n) },
    });
    try {
      await transactor.commit(batch(1));
      cutEndTxn = true;
      await expect(transactor.commit(batch(2))).rejects.toThrow();
      cutEndTxn = false;
      await transactor.commit(batch(3)); // used to fail: "Cannot call beginTransaction in state COMMITTING"
    } finally {
      cutEndTxn = false;
      await transactor.disconnect().catch(() => undefined);
    }
  }, 120_000);
});
