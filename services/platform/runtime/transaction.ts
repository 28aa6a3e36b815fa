import type { Kafka, Producer, Transaction } from 'kafkajs';
import { FlywheelError } from '../errors.ts';

type State = 'disconnected' | 'ready' | 'in-transaction' | 'failed' | 'fenced';

export interface OutputMessage {
  topic: string;
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface TransactionBatch {
  messages: OutputMessage[];
  /** Input offsets to commit with the batch: the next offset to read, per topic-partition. */
  offsets: { groupId: string; topic: string; partition: number; offset: string };
}

/**
 * A transactional producer bound to one input partition. The transactional id is derived from the
 * stage and the partition (the EOS-v1 scheme, since kafkajs cannot send consumer-group metadata with its
 * offsets): whichever instance owns the partition next fences a zombie of the previous owner and aborts its
 * open transaction. An explicit state machine: a call in the wrong state throws; after any failed commit the
 * transactor is `failed` and its owner (PartitionOwner) replaces it.
 */
export class PartitionTransactor {
  private state: State = 'disconnected';
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
  ) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60000,
      allowAutoTopicCreation: false,
      retry: TRANSACTIONAL_RETRY,
    });
  }

  /** Connects and fences the previous owner: its open transaction is aborted or completed before this returns. */
  async connect(): Promise<void> {
    this.expect('disconnected', 'connect');
    await this.producer.connect();
    // kafkajs sends the transactional InitProducerId only when the first transaction begins; begin (and drop)
    // an empty one now, so that connecting really fences the previous owner and completes its open transaction
    const fence = await this.producer.transaction();
    await fence.abort();
    this.state = 'ready';
  }

  /** Produces the messages and commits the offsets atomically. */
  async commit(batch: TransactionBatch): Promise<void> {
    this.expect('ready', 'commit');
    this.state = 'in-transaction';
    let txn: Transaction | undefined;
    try {
      txn = await this.producer.transaction();
      // Several produce requests per transaction, each well under the broker's default message.max.bytes (1 MB):
      // one record batch per partition must fit in it, and a stage's chunk (e.g. G full rollouts) may not.
      for (const part of splitBySize(batch.messages, MAX_REQUEST_BYTES)) {
        await txn.sendBatch({ topicMessages: groupByTopic(part) });
      }
      await txn.sendOffsets({
        consumerGroupId: batch.offsets.groupId,
        topics: [{ topic: batch.offsets.topic, partitions: [{ partition: batch.offsets.partition, offset: batch.offsets.offset }] }],
      });
      await txn.commit();
      this.state = 'ready';
    } catch (error) {
      if (isFenced(error)) {
        this.state = 'fenced';
        throw new FlywheelError('PRODUCER_FENCED', `${this.transactionalId} was fenced by a newer owner of its partition`, { cause: error });
      }
      // best effort: the replacement's InitProducerId settles whatever this left open
      await txn?.abort().catch(() => undefined);
      this.state = 'failed';
      throw error;
    }
  }

  get usable(): boolean {
    return this.state === 'ready';
  }

  async disconnect(): Promise<void> {
    if (this.state === 'disconnected') return;
    this.state = 'disconnected';
    await this.producer.disconnect();
  }

  private expect(state: State, action: string): void {
    if (this.state !== state) throw new FlywheelError('TRANSACTION_STATE', `${this.transactionalId}: cannot ${action} while ${this.state}`);
  }
}

const MAX_REQUEST_BYTES = 768 * 1024;

/**
 * A transaction begun right after the previous commit often finds the coordinator still writing that commit's
 * markers: AddPartitionsToTxn answers CONCURRENT_TRANSACTIONS, a retriable error, and the client backs off. With
 * the client's 200 ms first backoff that wait was most of a stage's commit time (a back-to-back transaction of 100
 * records took 44-49 ms here, 8-20 ms with 20 ms); the Java producer retries this answer after 20 ms too. More
 * retries keep the total time spent retrying a broker that is away (~50 s) close to the client's default.
 */
const TRANSACTIONAL_RETRY = { initialRetryTime: 20, retries: 13, maxRetryTime: 10000 };

function groupByTopic(messages: OutputMessage[]) {
  const byTopic = new Map<string, Array<{ key: string | null; value: Buffer; headers?: Record<string, string> }>>();
  for (const m of messages) {
    const list = byTopic.get(m.topic) ?? [];
    if (list.length === 0) byTopic.set(m.topic, list);
    list.push({ key: m.key, value: m.value, headers: m.headers });
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}

/** Consecutive slices of `messages` whose keys and values add up to at most `limit` bytes (a larger message goes alone). */
export function splitBySize<M extends { key: string | null; value: Buffer }>(messages: M[], limit: number): M[][] {
  const parts: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.value.length + (m.key?.length ?? 0) + 64;
    if (current.length > 0 && bytes + size > limit) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

function isFenced(error: unknown): boolean {
  const type = (error as { type?: string })?.type ?? '';
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || /fenced/i.test(String((error as Error)?.message));
}
