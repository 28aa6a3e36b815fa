import type { RlGroup, Score, Trajectory } from '../../platform/generated/records.ts';
import { contentId, recordMeta, type RecordMeta } from '../../platform/records.ts';
import { decideGroup, rlGroupRecord, signature } from '../../rollout/group.ts';
import { checkProcess } from '../../rollout/quality/process-check.ts';
import type { GroupMember } from '../../rollout/grpo.ts';
import type { JudgeResult } from '../../rollout/judge/judge.ts';
import type { Scorer } from './scorers.ts';

export const producer = { service: 'rescore', version: '1.0.0', instance: '' };

export interface Rescored {
  trajectory: Trajectory;
  judged: JudgeResult;
  advantage: number;
  disposition: string;
}

export interface RescoreOutputs {
  scores: Score[];
  groups: RlGroup[];
  /** Re-scored copies: parent is the original trajectory; the topic follows the new disposition. */
  sft: Trajectory[];
  discarded: Trajectory[];
  rescored: Rescored[];
  /** Groups left out of the RL groups under the new verdicts, as the rollout stage leaves them out: by answerability. */
  leftOut: { unanswerable: string[]; tooEasy: string[] };
}

/** SFT picks per question of the original round: the most any of its groups kept (at least 1). */
export function inferSftPerQuestion(trajectories: Trajectory[]): number {
  const perGroup = new Map<string, number>();
  for (const t of trajectories) if (t.disposition === 'sft') perGroup.set(t.group_id, (perGroup.get(t.group_id) ?? 0) + 1);
  return Math.max(1, ...perGroup.values());
}

/** The trajectories of a round by group, each group in rollout order (ids deduplicated: a replay writes the same id). */
export function groupsOf(trajectories: Trajectory[]): Trajectory[][] {
  const unique = [...new Map(trajectories.map((t) => [t.id, t])).values()];
  const groups = new Map<string, Trajectory[]>();
  for (const t of unique) groups.set(t.group_id, [...(groups.get(t.group_id) ?? []), t]);
  return [...groups.values()].map((g) => g.sort((a, b) => a.rollout_index - b.rollout_index)).sort((a, b) => a[0].group_id.localeCompare(b[0].group_id));
}

/**
 * New RL groups, SFT selections and discarded sets from new verdicts, with the rollout service's own GRPO code
 * (leave-one-out advantages, loss mask, rejection sampling). Ids derive from the original ids and the scorer, so
 * the same re-scoring always makes the same records. `judged` holds the new verdict per trajectory id.
 */
export function rescoreOutputs(options: {
  round: number;
  scorer: Scorer;
  groups: Trajectory[][];
  judged: Map<string, JudgeResult>;
  sftPerQuestion: number;
  rlKeepSolved: boolean;
  now: number;
}): RescoreOutputs {
  const { scorer, round } = options;
  const meta = (id: string, parents: string[]): RecordMeta => recordMeta({ id, round, producer, parents, now: options.now });
  const out: RescoreOutputs = { scores: [], groups: [], sft: [], discarded: [], rescored: [], leftOut: { unanswerable: [], tooEasy: [] } };
  for (const group of options.groups) {
    const results = group.map((t) => options.judged.get(t.id)!);
    // SFT still takes only rollouts right for the right reason: the stored process check, or a fresh one when the
    // original judge had found the answer wrong (and so never checked it)
    const grounded = group.map((t) => (t.quality_label ? t.quality_label === 'grounded' : checkProcess({ question: t.question, prediction: t.prediction, steps: t.steps }).grounded));
    const members: GroupMember[] = group.map((t, i) => ({
      rolloutIndex: t.rollout_index,
      reward: results[i].reward,
      correct: results[i].judgement.correct,
      termination: t.termination,
      prediction: t.prediction,
      f1: results[i].judgement.f1,
      toolCalls: t.tool_call_count,
      signature: signature(t),
      grounded: grounded[i],
    }));
    const decision = decideGroup(members, options.sftPerQuestion);
    const { advantages, disposition } = decision;
    const first = group[0];
    const groupId = contentId('group', 'rescore', first.group_id, scorer.name, scorer.version);
    const trajectoryIds = group.map((t) => t.id);
    const question = { id: first.question_id, question: first.question, answer: first.reference_answer, style: first.question_style };
    const rlGroup = rlGroupRecord(meta(groupId, [first.group_id, ...trajectoryIds]), question, trajectoryIds, members, decision, options.rlKeepSolved);
    if (rlGroup) out.groups.push(rlGroup);
    else (decision.answerability === 'unanswerable' ? out.leftOut.unanswerable : out.leftOut.tooEasy).push(groupId);
    group.forEach((t, i) => {
      const r = results[i];
      out.scores.push(scoreRecord(meta, t, scorer.name, scorer.version, r));
      const copy: Trajectory = {
        ...t,
        ...meta(contentId('traj', 'rescore', t.id, scorer.name, scorer.version), [t.id]),
        group_id: groupId,
        reward: r.reward,
        judge: r.judgement,
        disposition: disposition[i],
      };
      (disposition[i] === 'sft' ? out.sft : out.discarded).push(copy);
      out.rescored.push({ trajectory: t, judged: r, advantage: advantages[i], disposition: disposition[i] });
    });
  }
  return out;
}

/** A Score record: one verdict of one scorer (name + version) on one trajectory, with its components. */
export function scoreRecord(meta: (id: string, parents: string[]) => RecordMeta, t: Trajectory, scorer: string, version: string, r: JudgeResult): Score {
  return {
    ...meta(contentId('score', t.id, scorer, version), [t.id]),
    trajectory_id: t.id,
    question_id: t.question_id,
    group_id: t.group_id,
    scorer,
    scorer_version: version,
    source_round: t.round,
    correct: r.judgement.correct,
    reward: r.reward,
    components: { em: r.judgement.em, f1: r.judgement.f1 },
    rationale: r.judgement.rationale,
    llm: r.llm,
  };
}

/** The verdict the rollout service stored on the trajectory, as a score of the original scorer. */
export function originalScore(t: Trajectory): { scorer: string; version: string; result: JudgeResult } {
  return {
    scorer: `${t.judge.kind}/original`,
    version: `${t.producer.service} ${t.producer.version}`,
    result: { judgement: t.judge, reward: t.reward, llm: null },
  };
}
