import type { DecontamVerdict, Drop, EvalSet, RoundManifest } from '../platform/generated/records.ts';
import { contentId, recordMeta } from '../platform/records.ts';
import { readManifests, topicBounds } from '../rounds/manifest.ts';
import { EvalIndex, defaultRules, type DecontamRules } from './eval-index.ts';
import { sendRecords as send } from '../rounds/send-records.ts';
import type { DecontamContext } from './sets.ts';
import { checkSubject, checkedTopics, dropDetail, verdictRecord, type Subject } from './subjects.ts';
import { latestVerdicts, readVerdicts, VERDICTS_TOPIC } from './verdicts.ts';

const producer = { service: 'decontam', version: '1.0.0', instance: 'recheck' };

export interface RecheckResult {
  round: number | null;
  checked: Record<string, number>;
  hard: number;
  review: number;
}

/**
 * Checks what the open round already holds against one newly registered set: the stage only sees records that
 * arrive after it loaded the set. Verdict and drop ids are the ones the stage would have made, so a record that
 * both check is counted once downstream.
 */
export async function recheckOpenRound(ctx: DecontamContext, set: EvalSet, rules: DecontamRules = defaultRules): Promise<RecheckResult> {
  const open = (await readManifests(ctx)).filter((m) => m.status === 'open').at(-1);
  const result: RecheckResult = { round: open?.round ?? null, checked: {}, hard: 0, review: 0 };
  if (!open) return result;
  const index = new EvalIndex(set, rules);
  // a reviewer's release of this set version stands: registering the same version again does not undo it
  const released = new Set(latestVerdicts(await readVerdicts(ctx)).filter((v) => v.tier === 'released' && v.set_name === set.name && v.set_hash === set.content_hash).map((v) => v.subject_id));
  const verdicts: DecontamVerdict[] = [];
  const drops: Drop[] = [];
  const meta = (id: string, parents?: string[]) => recordMeta({ id, round: open.round, producer, parents });
  for (const topic of checkedTopics) {
    const subjects = await readOpenRange(ctx, open, topic);
    result.checked[topic] = subjects.length;
    for (const subject of subjects) {
      if (released.has(subject.value.id)) continue;
      for (const hit of checkSubject([index], subject)) {
        verdicts.push(verdictRecord(subject, hit, meta));
        if (hit.tier === 'review') {
          result.review++;
          continue;
        }
        result.hard++;
        const reason = `contaminated:${hit.set}`;
        drops.push({ ...meta(contentId('drop', 'decontam', reason, subject.value.id), [subject.value.id]), stage: 'decontam', reason, subject_id: subject.value.id, detail: dropDetail(hit) });
      }
    }
  }
  await send(ctx, VERDICTS_TOPIC, 'fw.DecontamVerdict', verdicts.map((v) => ({ key: v.subject_id, value: v })));
  await send(ctx, 'fw.drops', 'fw.Drop', drops.map((d) => ({ key: d.subject_id, value: d })));
  return result;
}

/** Records of `topic` from the open round's start offsets to the current end. */
async function readOpenRange(ctx: DecontamContext, open: RoundManifest, topic: (typeof checkedTopics)[number]): Promise<Subject[]> {
  const physical = ctx.names.physical(topic);
  const { from } = topicBounds(open, topic);
  const schema = topic === 'fw.fas.questions' ? 'fw.Question' : topic === 'fw.rollout.trajectories' ? 'fw.Trajectory' : 'fw.CptSample';
  const out: Subject[] = [];
  for (const m of await ctx.kafka.readTopic(physical, { from })) {
    if (m.value) out.push({ topic, value: await ctx.serde.decode(m.value, schema, physical) } as Subject);
  }
  return out;
}
