import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { errorMessage, FlywheelError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** One committed record as the reader delivers it. */
export type TailRecord = Pick<KafkaMessage, 'key' | 'value' | 'offset' | 'timestamp' | 'headers'> & { topic: string; partition: number };

export interface TailOptions {
  /** Inclusive start offset per partition; defaults to each partition's first offset. */
  from?: Map<number, bigint>;
  /**
   * Exclusive offset per partition up to which the tail counts as caught up; defaults to each partition's end
   * when the tail opens (the last stable offset: what read_committed can see). Without `follow`, only the
   * partitions in this map are read, and nothing at or past it is delivered.
   */
  until?: Map<number, bigint>;
  /** Keep delivering what is committed after catching up, until `close()`. */
  follow?: boolean;
  /** Catching up must finish within this many ms, else opening fails with a TopicReadTimeoutError. */
  deadlineMs?: number;
  /** Consumer group of the tail (a throw-away group is made up when absent; a following tail deletes it on close). */
  groupId?: string;
  /**
   * Called with each fetched batch of one partition, in offset order; the next batch waits for it. An error while
   * catching up fails the opening with that error; after that, the batch is tried again.
   */
  onRecords(records: TailRecord[]): Promise<void> | void;
  logger?: Logger;
}

export interface TopicTail {
  readonly groupId: string;
  /** Records handed to `onRecords` so far. */
  readonly delivered: number;
  close(): Promise<void>;
}

export const DEFAULT_TAIL_DEADLINE_MS = 60_000;

export class TopicReadTimeoutError extends FlywheelError {
  constructor(topic: string, deadlineMs: number, behind: Array<{ partition: number; position: bigint; end: bigint }>) {
    const detail = behind.map((b) => `partition ${b.partition} at ${b.position} of ${b.end}`).join(', ');
    super('TOPIC_READ_TIMEOUT', `reading ${topic} to its end did not finish within ${deadlineMs} ms (${detail || 'consumer never joined'})`, { retriable: true });
  }
}

/**
 * Reads `topic` read_committed from `from` to its end, then (with `follow`) keeps delivering new records.
 *
 * Caught up means: for every partition, the consumer's position (one past the last offset it fetched) has
 * reached the end. The position comes from every fetched batch, including batches that hold only transaction
 * markers or aborted records: those occupy offsets but are never delivered, so counting delivered records, or
 * waiting for the record at `end - 1`, would wait for something that never comes. The end offsets are read
 * once at open, read_committed, i.e. the last stable offset, so an open transaction is not waited for (nor one
 * whose commit() has just returned: the coordinator writes the markers that make it stable right after answering).
 */
export async function openTail(kafka: Kafka, topic: string, options: TailOptions): Promise<TopicTail> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_TAIL_DEADLINE_MS;
  const admin = kafka.admin();
  await admin.connect();
  let offsets: Array<{ partition: number; low: string; high: string }> = [];
  try {
    // a one-off read of a topic that was never created has nothing to read; a follower needs the topic
    if (options.follow || (await admin.listTopics()).includes(topic)) offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const until = options.until ?? new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const position = new Map<number, bigint>();
  for (const o of offsets) {
    const from = options.from?.get(o.partition) ?? BigInt(o.low);
    position.set(o.partition, from > BigInt(o.low) ? from : BigInt(o.low));
  }
  const behind = () => [...until].filter(([p, end]) => (position.get(p) ?? end) < end).map(([p, end]) => ({ partition: p, position: position.get(p)!, end }));
  const read = options.follow ? [...position.keys()] : [...until.keys()].filter((p) => position.has(p));
  const groupId = options.groupId ?? `fw-reader-${randomUUID()}`;
  let delivered = 0;
  if (!options.follow && behind().length === 0) return { groupId, delivered, close: async () => undefined };

  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  const state = { caughtUp: false, failed: undefined as Error | undefined };
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const check = () => {
    if (!state.caughtUp && behind().length === 0) {
      state.caughtUp = true;
      settle();
    }
  };
  const advance = (partition: number, lastOffset: string) => {
    const next = BigInt(lastOffset) + 1n;
    if (next > (position.get(partition) ?? 0n)) position.set(partition, next);
    if (!options.follow && next >= (until.get(partition) ?? 0n)) consumer.pause([{ topic, partitions: [partition] }]);
    check();
  };

  // batches holding only markers or aborted records never reach eachBatch; this event reports them too
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic) advance(payload.partition, payload.lastOffset);
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    // (re)start each partition at its position: a rebalance would otherwise rewind to the beginning
    for (const p of read) consumer.seek({ topic, partition: p, offset: position.get(p)!.toString() });
    const skip = [...position.keys()].filter((p) => !read.includes(p) || (!options.follow && position.get(p)! >= until.get(p)!));
    if (skip.length) consumer.pause([{ topic, partitions: skip }]);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    options.logger?.warn({ topic, err: errorMessage(payload.error), restart: payload.restart }, 'topic reader consumer crashed');
    if (!payload.restart) {
      state.failed = new FlywheelError('TOPIC_READ_FAILED', `reading ${topic} failed: ${errorMessage(payload.error)}`, { cause: payload.error, retriable: true });
      settle();
    }
  });

  await consumer.connect();
  const close = async () => {
    await consumer.disconnect().catch(() => undefined);
    if (options.follow) await deleteGroup(kafka, groupId);
  };
  const timer = setTimeout(() => settle(), deadlineMs);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const at = position.get(batch.partition) ?? 0n;
        const end = until.get(batch.partition);
        const records: TailRecord[] = [];
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          // below the position: fetched before a seek took effect, or again after a rebalance
          if (offset < at || (!options.follow && end !== undefined && offset >= end)) continue;
          records.push({ topic: batch.topic, partition: batch.partition, key: m.key, value: m.value, offset: m.offset, timestamp: m.timestamp, headers: m.headers });
        }
        try {
          if (records.length) await options.onRecords(records);
        } catch (error) {
          if (state.caughtUp) throw error; // the client retries the batch
          state.failed = error instanceof Error ? error : new Error(String(error)); // opening fails with it
          settle();
          return;
        }
        delivered += records.length;
        advance(batch.partition, batch.lastOffset());
      },
    });
    check(); // a following tail of a topic already read to its end (or empty) is caught up at once
    await settled;
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (state.failed || !state.caughtUp) {
    await close();
    throw state.failed ?? new TopicReadTimeoutError(topic, deadlineMs, behind());
  }
  if (!options.follow) await close();
  return {
    groupId,
    get delivered() {
      return delivered;
    },
    close,
  };
}

/** Every committed record of `topic` in [from, until) (defaults: beginning, end at call time), ordered by partition and offset. */
export async function readTopic(kafka: Kafka, topic: string, options: Omit<TailOptions, 'follow' | 'onRecords'> = {}): Promise<TailRecord[]> {
  const out: TailRecord[] = [];
  await openTail(kafka, topic, { ...options, onRecords: (records) => void out.push(...records) });
  return out.sort((a, b) => a.partition - b.partition); // stable: each partition's records already come in offset order
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect().catch(() => undefined);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
}
