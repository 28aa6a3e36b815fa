import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { FlywheelError } from '../errors.ts';

/**
 * OffsetFetch v7 with `require_stable` (KIP-447), which kafkajs 2.2.4 cannot send (it stops at v4). While a
 * transaction that commits offsets for a partition is still pending, the group coordinator answers that
 * partition with UNSTABLE_OFFSET_COMMIT instead of the older committed offset; once the transaction's marker is
 * applied the answer is final. A new partition owner that asks this after fencing the previous owner can
 * therefore never resume below an offset a completed transaction committed — the broker says so, not a timer.
 *
 * The request is encoded with kafkajs' own protocol encoder and sent on the group coordinator's connection of a
 * kafkajs cluster built from the same client options (TLS, SASL), so nothing of the connection is ours.
 */

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder');
const Decoder = require('kafkajs/src/protocol/decoder');
const { createErrorFromCode } = require('kafkajs/src/protocol/error');

const OFFSET_FETCH = 9;
const UNSTABLE_OFFSET_COMMIT = 88;

interface KafkajsBroker {
  connectionPool: { send(protocol: { request: unknown; response: unknown }): Promise<unknown> };
}
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(args: { groupId: string }): Promise<KafkajsBroker>;
  refreshMetadata(): Promise<void>;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The committed offset (the next one to read), or -1 when the group has none. */
  offset: bigint;
}

interface Answer {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; offset: bigint; errorCode: number }> }>;
}

/** Encodes OffsetFetch v7 (a flexible version: compact strings and arrays, tagged fields). */
export function encodeOffsetFetchV7(groupId: string, topics: Array<{ topic: string; partitions: number[] }>) {
  return {
    apiKey: OFFSET_FETCH,
    apiVersion: 7,
    apiName: 'OffsetFetch',
    encode: async () => {
      // kafkajs writes request header v1; header v2 (flexible requests) only adds an empty tag buffer after it
      const encoder = new Encoder().writeUVarInt(0).writeUVarIntString(groupId);
      encoder.writeUVarInt(topics.length + 1);
      for (const { topic, partitions } of topics) {
        encoder.writeUVarIntString(topic).writeUVarInt(partitions.length + 1);
        for (const partition of partitions) encoder.writeInt32(partition);
        encoder.writeUVarInt(0);
      }
      return encoder.writeBoolean(true).writeUVarInt(0);
    },
  };
}

/** Decodes an OffsetFetch v7 response, including the flexible response header's tag buffer. */
export function decodeOffsetFetchV7(raw: Buffer): Answer {
  const d = new Decoder(raw);
  d.readTaggedFields(); // response header v1
  d.readInt32(); // throttle_time_ms
  const topics = d.readUVarIntArray((t: typeof d) => {
    const name = t.readUVarIntString();
    const partitions = t.readUVarIntArray((p: typeof d) => {
      const partition = p.readInt32();
      const offset = BigInt(p.readInt64().toString());
      p.readInt32(); // committed_leader_epoch
      p.readUVarIntString(); // metadata
      const errorCode = p.readInt16();
      p.readTaggedFields();
      return { partition, offset, errorCode };
    });
    t.readTaggedFields();
    return { name, partitions: partitions ?? [] };
  });
  const errorCode = d.readInt16();
  return { errorCode, topics: topics ?? [] };
}

function clusterOf(kafka: Kafka): KafkajsCluster {
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!create) throw new FlywheelError('KAFKA_CLIENT', 'this kafkajs version does not expose its cluster factory; stable offsets need kafkajs 2.x');
  return (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[create]({});
}

/** Reads a group's committed offsets with require_stable, waiting while any of them is pending in a transaction. */
export class StableOffsetReader {
  private readonly cluster: KafkajsCluster;
  private connected?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly options: { retryMs?: number; timeoutMs?: number } = {},
  ) {
    this.cluster = clusterOf(kafka);
  }

  async fetch(groupId: string, topic: string, partitions: number[], signal?: AbortSignal): Promise<PartitionOffset[]> {
    this.connected ??= this.cluster.connect();
    await this.connected;
    const deadline = Date.now() + (this.options.timeoutMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
      const answer = await this.ask(groupId, topic, partitions);
      const unstable = answer.topics.flatMap((t) => t.partitions).some((p) => p.errorCode === UNSTABLE_OFFSET_COMMIT);
      if (answer.errorCode !== UNSTABLE_OFFSET_COMMIT && !unstable) return this.offsetsOf(answer, topic, partitions);
      if (Date.now() > deadline || signal?.aborted) {
        throw new FlywheelError('UNSTABLE_OFFSETS', `offsets of ${groupId} on ${topic} stayed pending in a transaction`, { retriable: true });
      }
      await sleep(Math.min(50 * 2 ** attempt, this.options.retryMs ?? 500));
    }
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.cluster.disconnect().catch(() => undefined);
    this.connected = undefined;
  }

  private async ask(groupId: string, topic: string, partitions: number[]): Promise<Answer> {
    const coordinator = await this.cluster.findGroupCoordinator({ groupId });
    return (await coordinator.connectionPool.send({
      request: encodeOffsetFetchV7(groupId, [{ topic, partitions }]),
      response: { decode: async (raw: Buffer) => decodeOffsetFetchV7(raw), parse: async (answer: Answer) => answer },
    })) as Answer;
  }

  private offsetsOf(answer: Answer, topic: string, partitions: number[]): PartitionOffset[] {
    if (answer.errorCode !== 0) throw createErrorFromCode(answer.errorCode);
    const found = answer.topics
      .filter((t) => t.name === topic)
      .flatMap((t) =>
        t.partitions.map((p) => {
          if (p.errorCode !== 0) throw createErrorFromCode(p.errorCode);
          return { topic, partition: p.partition, offset: p.offset };
        }),
      );
    // an answer without a partition asked for must not read as "nothing committed": that would replay the partition
    const missing = partitions.filter((p) => !found.some((f) => f.partition === p));
    if (missing.length) throw new FlywheelError('OFFSETS_MISSING', `the group coordinator did not answer for ${topic} partitions ${missing.join(', ')}`, { retriable: true });
    return partitions.map((p) => found.find((f) => f.partition === p)!);
  }
}
