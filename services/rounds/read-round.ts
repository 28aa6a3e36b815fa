import { createSerde } from '../platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../platform/catalogue.ts';
import { loadPlatformConfig } from '../platform/config.ts';
import type { RoundManifest, TopicName, TopicValues } from '../platform/generated/records.ts';
import { createKafka } from '../platform/kafka/client.ts';
import { readTopic } from '../platform/kafka/reader.ts';
import { createLogger } from '../platform/logger.ts';
import { closedManifest, topicBounds, type RoundsContext } from './manifest.ts';

export interface RoundRecord<T extends TopicName> {
  partition: number;
  offset: string;
  value: TopicValues[T];
}

export type RoundReaderContext = Pick<RoundsContext, 'kafka' | 'names' | 'serde'>;

/**
 * The records of `topic` that round `round` produced: exactly the manifest's offset ranges, read_committed,
 * in partition/offset order. Reading the same closed round twice always gives the same records.
 */
export async function readRound<T extends TopicName>(round: number, topic: T, ctx: RoundReaderContext = defaultContext()): Promise<Array<TopicValues[T]>> {
  return (await readRoundRecords(round, topic, ctx)).map((r) => r.value);
}

/** Like readRound, with each record's partition and offset. */
export async function readRoundRecords<T extends TopicName>(
  round: number | RoundManifest,
  topic: T,
  ctx: RoundReaderContext = defaultContext(),
): Promise<Array<RoundRecord<T>>> {
  const manifest = typeof round === 'number' ? await closedManifest(ctx, round) : round;
  const { from, until } = topicBounds(manifest, topic);
  if (until.size === 0) return [];
  const spec = topicCatalogue().get(topic);
  const physical = ctx.names.physical(topic);
  const messages = await readTopic(ctx.kafka, physical, { from, until, idleMs: 1500 });
  const out: Array<RoundRecord<T>> = [];
  for (const m of messages) {
    if (!m.value) continue;
    out.push({ partition: m.partition, offset: m.offset, value: await ctx.serde.decode<TopicValues[T]>(m.value, spec.value, physical) });
  }
  return out;
}

function defaultContext(env: NodeJS.ProcessEnv = process.env): RoundReaderContext {
  const config = loadPlatformConfig(env);
  return {
    kafka: createKafka(config, createLogger({ level: config.LOG_LEVEL }), 'round-reader'),
    names: new TopicNames(config.TOPIC_PREFIX),
    serde: createSerde({ schemaRegistryUrl: config.SCHEMA_REGISTRY_URL }),
  };
}
