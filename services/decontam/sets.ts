import path from 'node:path';
import { FlywheelError } from '../platform/errors.ts';
import type { EvalSet } from '../platform/generated/records.ts';
import { contentId, recordMeta, sha256, stableJson } from '../platform/records.ts';
import type { RoundsContext } from '../rounds/manifest.ts';
import { sendRecords } from '../rounds/send-records.ts';
import { readQaFile } from '../rollout/eval/qa-file.ts';

export const SETS_TOPIC = 'fw.decontam.sets';
const producer = { service: 'decontam', version: '1.0.0', instance: '' };

export class DecontamError extends FlywheelError {
  constructor(message: string) {
    super('DECONTAM', message);
  }
}

export type DecontamContext = Pick<RoundsContext, 'kafka' | 'names' | 'serde'>;

/** A set name is a drop reason suffix and a record key: keep it short and plain. */
export function checkSetName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new DecontamError(`set name "${name}": use letters, digits, "_", "-" or "." (at most 64)`);
  return name;
}

/** An evaluation set from a QA file (HotpotQA format, or JSONL with question/answer); its hash is its version. */
export function evalSetFromFile(name: string, file: string, options: { round?: number; now?: number } = {}): EvalSet {
  const items = readQaFile(file).map((i) => ({ id: i.id, question: i.question, answer: i.answer }));
  if (items.length === 0) throw new DecontamError(`${file}: no questions`);
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
  for (const m of await ctx.kafka.readTopic(topic)) {
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
