import { topicCatalogue } from '../platform/catalogue.ts';
import type { RoundManifest, TopicName, TopicValues } from '../platform/generated/records.ts';
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
export async function readRound<T extends TopicName>(round: number, topic: T, ctx: RoundReaderContext): Promise<Array<TopicValues[T]>> {
  return (await readRoundRecords(round, topic, ctx)).map((r) => r.value);
}

/** Like readRound, with each record's partition and offset. */
export async function readRoundRecords<T extends TopicName>(
  round: number | RoundManifest,
  topic: T,
  ctx: RoundReaderContext,
): Promise<Array<RoundRecord<T>>> {
  const manifest = typeof round === 'number' ? await closedManifest(ctx, round) : round;
  const { from, until } = topicBounds(manifest, topic);
  if (until.size === 0) return [];
  const spec = topicCatalogue().get(topic);
  const physical = ctx.names.physical(topic);
  const messages = await ctx.kafka.readTopic(physical, { from, until });
  const out: Array<RoundRecord<T>> = [];
  for (const m of messages) {
    if (!m.value) continue;
    out.push({ partition: m.partition, offset: m.offset, value: await ctx.serde.decode<TopicValues[T]>(m.value, spec.value, physical) });
  }
  return out;
}
