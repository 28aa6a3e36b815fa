import { randomUUID } from 'node:crypto';
import { createSerde } from '../avro/serde.ts';
import { topicCatalogue, TopicNames } from '../catalogue.ts';
import type { PlatformConfig } from '../config.ts';
import type { TopicName, TopicValues } from '../generated/records.ts';
import type { Logger } from '../logger.ts';
import { createKafka } from './client.ts';
import { openTail, type TailRecord } from './tail.ts';

export interface FollowTopicOptions<T extends TopicName> {
  platform: PlatformConfig;
  logger: Logger;
  /** Logical topic name (the deployment's TOPIC_PREFIX is added). */
  topic: T;
  onValue(value: TopicValues[T], key: string | null): void;
  /** A tombstone (null value) on a compacted topic: the key was removed. */
  onTombstone?(key: string | null): void;
  /** A record that does not decode: skipped when this is given (after calling it), else the tail stops with the error. */
  onUndecodable?(error: unknown, record: TailRecord): void;
  /** Loading what the topic held at start must finish within this long (default STAGE_STATE_LOAD_TIMEOUT_MS). */
  deadlineMs?: number;
  /** Names the throw-away consumer group (default `fw-tail`); it is made unique and deleted on close. */
  groupLabel?: string;
  /**
   * Read only what the topic holds at start, then stop (a one-off load: `close()` has nothing left to do). No
   * consumer group is joined at all when that is nothing, which saves the join's round trips on a fresh topic.
   */
  once?: boolean;
}

export interface FollowedTopic {
  readonly groupId: string;
  /** Records applied while catching up at start. */
  readonly loaded: number;
  close(): Promise<void>;
}

/**
 * Reads a topic (usually a compacted state topic) from the beginning into the caller's state, resolving once
 * what it held at start is applied, then keeps applying what other instances commit. Every instance reads the
 * whole topic under its own group (a broadcast, not a share of partitions): this is how a stateful stage
 * rebuilds its state after a restart without a local store.
 */
export async function followTopic<T extends TopicName>(options: FollowTopicOptions<T>): Promise<FollowedTopic> {
  const physical = new TopicNames(options.platform.TOPIC_PREFIX).physical(options.topic);
  const spec = topicCatalogue().get(options.topic);
  const serde = createSerde({ schemaRegistryUrl: options.platform.SCHEMA_REGISTRY_URL });
  const kafka = createKafka(options.platform, options.logger, 'tail');
  const groupId = `${options.platform.TOPIC_PREFIX}${options.groupLabel ?? 'fw-tail'}-${randomUUID().slice(0, 8)}`;
  const tail = await openTail(kafka, physical, {
    follow: !options.once,
    groupId,
    deadlineMs: options.deadlineMs ?? options.platform.STAGE_STATE_LOAD_TIMEOUT_MS,
    logger: options.logger,
    async onRecords(records) {
      for (const record of records) {
        if (!record.value) {
          options.onTombstone?.(record.key?.toString('utf8') ?? null);
          continue;
        }
        let value: TopicValues[T];
        try {
          value = await serde.decode<TopicValues[T]>(record.value, spec.value, physical);
        } catch (error) {
          if (!options.onUndecodable) throw error;
          options.onUndecodable(error, record);
          continue;
        }
        options.onValue(value, record.key?.toString('utf8') ?? null);
      }
    },
  });
  const loaded = tail.delivered;
  options.logger.info({ topic: options.topic, records: loaded }, 'state loaded from topic');
  return { groupId, loaded, close: () => tail.close() };
}
