import type { RoundsContext } from './manifest.ts';

/** Sends records (Avro-encoded, null = tombstone) with the cluster's plain idempotent producer, in requests of at most 500. */
export async function sendRecords(ctx: Pick<RoundsContext, 'kafka' | 'names' | 'serde'>, topic: string, schema: string, records: Array<{ key: string; value: unknown }>): Promise<void> {
  if (records.length === 0) return;
  const physical = ctx.names.physical(topic);
  const producer = ctx.kafka.producer();
  try {
    const encoded = await Promise.all(records.map(async (r) => ({ key: r.key, value: r.value === null ? null : await ctx.serde.encode(schema, r.value, physical) })));
    for (let i = 0; i < encoded.length; i += 500) await producer.send([{ topic: physical, records: encoded.slice(i, i + 500) }]);
  } finally {
    await producer.close();
  }
}
