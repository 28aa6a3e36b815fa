import type { DecontamVerdict } from '../platform/generated/records.ts';
import { recordMeta } from '../platform/records.ts';
import { sendRecords } from '../rounds/send-records.ts';
import { DecontamError, readSets, type DecontamContext } from './sets.ts';
import { verdictId } from './subjects.ts';

const producer = { service: 'decontam', version: '1.0.0', instance: 'release' };

export const VERDICTS_TOPIC = 'fw.decontam.verdicts';

/** Every verdict on the topic, in partition/offset order (a subject's verdicts share a partition: keyed by subject). */
export async function readVerdicts(ctx: DecontamContext): Promise<DecontamVerdict[]> {
  const topic = ctx.names.physical(VERDICTS_TOPIC);
  const out: DecontamVerdict[] = [];
  for (const m of await ctx.kafka.readTopic(topic)) {
    if (m.value) out.push(await ctx.serde.decode<DecontamVerdict>(m.value, 'fw.DecontamVerdict', topic));
  }
  return out;
}

/** The last verdict per (subject, set), in topic order. */
export function latestVerdicts(verdicts: DecontamVerdict[]): DecontamVerdict[] {
  const last = new Map<string, DecontamVerdict>();
  for (const v of verdicts) last.set(`${v.subject_id}\u0000${v.set_name}`, v);
  return [...last.values()];
}

/** Verdicts that still block: a release after a review hit wins, a later hit after a release wins. */
export function openVerdicts(verdicts: DecontamVerdict[]): DecontamVerdict[] {
  return latestVerdicts(verdicts).filter((v) => v.tier !== 'released');
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

  /** The verdicts of the sets registered now: removing a set lets its hits through again. */
  static async load(ctx: DecontamContext): Promise<ContaminationFilter> {
    const [sets, verdicts] = await Promise.all([readSets(ctx), readVerdicts(ctx)]);
    const registered = new Set(sets.map((s) => s.name));
    return new ContaminationFilter(verdicts.filter((v) => registered.has(v.set_name)));
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

/**
 * Lets a review-tier hit through: a `released` verdict for the same subject and set. Hard hits cannot be
 * released (they were dropped); a later hit of a new set version blocks the record again.
 */
export async function releaseVerdict(ctx: DecontamContext, subjectId: string, setName?: string, now = Date.now()): Promise<DecontamVerdict[]> {
  const open = openVerdicts(await readVerdicts(ctx)).filter((v) => v.subject_id === subjectId && (!setName || v.set_name === setName));
  if (open.length === 0) throw new DecontamError(`no open verdict on ${subjectId}${setName ? ` for set ${setName}` : ''}`);
  const hard = open.filter((v) => v.tier === 'hard');
  if (hard.length) throw new DecontamError(`${subjectId} has a hard hit from ${hard.map((v) => v.set_name).join(', ')} (${hard[0].rule}): hard hits are dropped, not released`);
  const released = open.map((v) => ({ ...v, ...recordMeta({ id: verdictId(subjectId, { set: v.set_name, setHash: v.set_hash }, 'released'), round: v.round, producer, parents: [v.id], now }), tier: 'released' }));
  await sendRecords(ctx, VERDICTS_TOPIC, 'fw.DecontamVerdict', released.map((v) => ({ key: v.subject_id, value: v })));
  return released;
}

export interface ContaminationRow {
  set: string;
  hard: number;
  review: number;
  released: number;
  questions: number;
  trajectories: number;
  cpt: number;
}

/** Hits per set (latest verdict per subject and set), optionally of one round: what summaries and `report` show. */
export function contaminationBySet(verdicts: DecontamVerdict[], round?: number): ContaminationRow[] {
  const rows = new Map<string, ContaminationRow>();
  for (const v of latestVerdicts(verdicts.filter((x) => round === undefined || x.round === round))) {
    const row = rows.get(v.set_name) ?? { set: v.set_name, hard: 0, review: 0, released: 0, questions: 0, trajectories: 0, cpt: 0 };
    if (v.tier === 'hard' || v.tier === 'review' || v.tier === 'released') row[v.tier]++;
    if (v.subject_topic === 'fw.fas.questions') row.questions++;
    else if (v.subject_topic === 'fw.rollout.trajectories') row.trajectories++;
    else if (v.subject_topic === 'fw.cpt.samples') row.cpt++;
    rows.set(v.set_name, row);
  }
  return [...rows.values()].sort((a, b) => a.set.localeCompare(b.set));
}
