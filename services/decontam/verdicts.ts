import type { DecontamVerdict } from '../platform/generated/records.ts';
import { readTopic } from '../platform/kafka/reader.ts';
import type { DecontamContext } from './sets.ts';

export const VERDICTS_TOPIC = 'fw.decontam.verdicts';

/** Every verdict on the topic, in partition/offset order (a subject's verdicts share a partition: keyed by subject). */
export async function readVerdicts(ctx: DecontamContext): Promise<DecontamVerdict[]> {
  const topic = ctx.names.physical(VERDICTS_TOPIC);
  const out: DecontamVerdict[] = [];
  for (const m of await readTopic(ctx.kafka, topic, { idleMs: 1000 })) {
    if (m.value) out.push(await ctx.serde.decode<DecontamVerdict>(m.value, 'fw.DecontamVerdict', topic));
  }
  return out;
}

/** The last verdict per (subject, set): a release after a review hit wins, a later hit after a release wins. */
export function openVerdicts(verdicts: DecontamVerdict[]): DecontamVerdict[] {
  const last = new Map<string, DecontamVerdict>();
  for (const v of verdicts) last.set(`${v.subject_id}\u0000${v.set_name}`, v);
  return [...last.values()].filter((v) => v.tier !== 'released');
}

/**
 * What exports must leave out: records with an open verdict, records derived from one (by lineage), and every
 * record of a question whose text hit (its trajectories, RL group and SFT chat).
 */
export class ContaminationFilter {
  readonly blockedIds = new Set<string>();
  readonly blockedQuestions = new Set<string>();

  constructor(verdicts: DecontamVerdict[]) {
    for (const v of openVerdicts(verdicts)) {
      this.blockedIds.add(v.subject_id);
      if (v.subject_topic === 'fw.fas.questions') this.blockedQuestions.add(v.subject_id);
      else if (v.field === 'question' && v.question_id) this.blockedQuestions.add(v.question_id);
    }
  }

  static async load(ctx: DecontamContext): Promise<ContaminationFilter> {
    return new ContaminationFilter(await readVerdicts(ctx));
  }

  blocks(record: { id: string; parent_ids?: string[]; question_id?: string }): boolean {
    if (this.blockedIds.has(record.id) || this.blockedQuestions.has(record.id)) return true;
    if (record.question_id && this.blockedQuestions.has(record.question_id)) return true;
    return (record.parent_ids ?? []).some((p) => this.blockedIds.has(p) || this.blockedQuestions.has(p));
  }

  keep<T extends { id: string; parent_ids?: string[]; question_id?: string }>(records: T[]): { kept: T[]; removed: number } {
    const kept = records.filter((r) => !this.blocks(r));
    return { kept, removed: records.length - kept.length };
  }
}
