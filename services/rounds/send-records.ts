import type { RoundsContext } from './manifest.ts';

/** Sends records (Avro-encoded, null = tombstone) with an idempotent producer, in requests of at most 500. */
export async function sendRecords(ctx: Pick<RoundsContext, 'kafka' | 'names' | 'serde'>, topic: string, schema: string, records: Array<{ key: string; value: unknown }>): Promise<void> {
  if (records.length === 0) return;
  const physical = ctx.names.physical(topic);
  const kafkaProducer = ctx.kafka.producer({ idempotent: true });
  await kafkaProducer.connect();
  try {
    const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: r.value === null ? null : await ctx.serde.encode(schema, r.value, physical) })));
    for (let i = 0; i < messages.length; i += 500) await kafkaProducer.send({ topic: physical, messages: messages.slice(i, i + 500) });
  } finally {
    await kafkaProducer.disconnect();
  }
}
