import path from 'node:path';
import type { EvalSet } from '../platform/generated/records.ts';
import { readTopic } from '../platform/kafka/reader.ts';
import { contentId, recordMeta, sha256, stableJson } from '../platform/records.ts';
import type { RoundsContext } from '../rounds/manifest.ts';
import { readQaFile } from '../rollout/eval/qa-file.ts';

export const SETS_TOPIC = 'fw.decontam.sets';
const producer = { service: 'decontam', version: '1.0.0', instance: '' };

export type DecontamContext = Pick<RoundsContext, 'kafka' | 'names' | 'serde'>;

/** A set name is a drop reason suffix and a record key: keep it short and plain. */
export function checkSetName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new Error(`set name "${name}": use letters, digits, "_", "-" or "." (at most 64)`);
  return name;
}

/** An evaluation set from a QA file (HotpotQA format, or JSONL with question/answer); its hash is its version. */
export function evalSetFromFile(name: string, file: string, options: { round?: number; now?: number } = {}): EvalSet {
  const items = readQaFile(file).map((i) => ({ id: i.id, question: i.question, answer: i.answer }));
  if (items.length === 0) throw new Error(`${file}: no questions`);
  const hash = sha256(stableJson(items));
  return {
    ...recordMeta({ id: contentId('evalset', checkSetName(name), hash), round: options.round ?? 0, producer, now: options.now }),
    name,
    source: path.basename(file),
    content_hash: hash,
    items,
  };
}

/** The registered sets: the last record per name on the compacted topic, tombstones removing a name. */
export async function readSets(ctx: DecontamContext): Promise<EvalSet[]> {
  const topic = ctx.names.physical(SETS_TOPIC);
  const sets = new Map<string, EvalSet>();
  for (const m of await readTopic(ctx.kafka, topic, { idleMs: 1000 })) {
    const name = m.key?.toString('utf8') ?? '';
    if (!m.value) sets.delete(name);
    else sets.set(name, await ctx.serde.decode<EvalSet>(m.value, 'fw.EvalSet', topic));
  }
  return [...sets.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Writes a set (value) or removes it (null: a tombstone, so compaction forgets it). */
export async function writeSet(ctx: DecontamContext, name: string, set: EvalSet | null): Promise<void> {
  await sendRecords(ctx, SETS_TOPIC, 'fw.EvalSet', [{ key: name, value: set }]);
}

/** Sends records (Avro-encoded, null = tombstone) with an idempotent producer, in requests of at most 500. */
export async function sendRecords(ctx: DecontamContext, topic: string, schema: string, records: Array<{ key: string; value: unknown }>): Promise<void> {
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
