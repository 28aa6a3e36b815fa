import type { Drop, Question, RlGroup, ToolCall, Trajectory } from '../platform/generated/records.ts';
import { addUsage } from '../platform/llm/types.ts';
import { contentId, sha256, type RecordMeta } from '../platform/records.ts';
import type { OutputRecord } from '../platform/runtime/stage.ts';
import type { RolloutRun } from './agent/loop.ts';
import type { AgentMode, Policy } from './agent/types.ts';
import { dispositions, groupAdvantages, selectForSft, type GroupMember } from './grpo.ts';
import type { JudgeResult } from './judge/judge.ts';
import type { ProcessVerdict } from './quality/process-check.ts';

export interface JudgedRollout {
  index: number;
  id: string;
  run: RolloutRun;
  judged: JudgeResult;
  /** The process check, for correct rollouts only: SFT keeps a rollout only when it is grounded. */
  process?: ProcessVerdict;
}

/** too_easy: every rollout correct; useful: some; unanswerable: none. Only useful groups reach fw.rl.groups by default. */
export type Answerability = 'too_easy' | 'useful' | 'unanswerable';

export function answerability(passCount: number, g: number): Answerability {
  return passCount === 0 ? 'unanswerable' : passCount === g ? 'too_easy' : 'useful';
}

export interface GroupContext {
  question: Question;
  groupId: string;
  mode: AgentMode;
  policy: Policy;
  maxCalls: number;
  sftPerQuestion: number;
  /** Keep groups every rollout solved in fw.rl.groups (ROLLOUT_RL_KEEP_SOLVED). */
  rlKeepSolved: boolean;
  meta(id: string, parents?: string[]): RecordMeta;
  drop(reason: string, subjectId: string, detail?: string, parents?: string[]): { topic: 'fw.drops'; value: Drop };
}

export interface GroupDecision {
  advantages: number[];
  mask: boolean[];
  disposition: string[];
  passCount: number;
  answerability: Answerability;
}

/** Everything GRPO decides about one group of G judged rollouts; the rollout stage and re-scoring share it. */
export function decideGroup(members: GroupMember[], sftPerQuestion: number): GroupDecision {
  const { advantages, mask } = groupAdvantages(members);
  const disposition = dispositions(members, selectForSft(members, sftPerQuestion), mask);
  const passCount = members.filter((m) => m.correct).length;
  return { advantages, mask, disposition, passCount, answerability: answerability(passCount, members.length) };
}

/**
 * Whether a group goes to fw.rl.groups. A group no rollout solved never does; one every rollout solved only when
 * asked to (`keepSolved`): either way every reward is equal, so there is no advantage to learn from, and the
 * reference's curation drops never-solved and always-solved items.
 */
export function keptForRl(decision: GroupDecision, keepSolved: boolean): boolean {
  return decision.answerability === 'useful' || (decision.answerability === 'too_easy' && keepSolved);
}

/** The GRPO group record, or null when the group stays out of fw.rl.groups (see keptForRl). */
export function rlGroupRecord(
  meta: RecordMeta,
  question: { id: string; question: string; answer: string; style: string },
  trajectoryIds: string[],
  members: GroupMember[],
  decision: GroupDecision,
  keepSolved: boolean,
): RlGroup | null {
  if (!keptForRl(decision, keepSolved)) return null;
  return {
    ...meta,
    question_id: question.id,
    question: question.question,
    ground_truth: question.answer,
    question_style: question.style,
    trajectory_ids: trajectoryIds,
    rewards: members.map((m) => m.reward),
    advantages: decision.advantages,
    loss_mask: decision.mask,
    pass_count: decision.passCount,
    answerability: decision.answerability,
  };
}

/** Ids name the rollout's slot, not its content: a replayed question overwrites rather than duplicates. */
export function groupIdFor(question: Question, round: number, mode: AgentMode, policy: Policy, g: number): string {
  return contentId('group', question.id, round, mode, policy.model, policy.modelVersion, g);
}

export function trajectoryIdFor(groupId: string, index: number): string {
  return contentId('traj', groupId, index);
}

/** Hash of a rollout's action sequence and answer (also of a stored trajectory: re-scoring keeps SFT selection distinct). */
export function signature(run: Pick<RolloutRun, 'steps' | 'prediction'>): string {
  return sha256(JSON.stringify([run.steps.map((s) => s.tool_call), run.prediction]));
}

/**
 * Turns G judged rollouts of one question into the stage's outputs: every trajectory, the kept ones (SFT), the
 * rest (discarded, with their disposition), the GRPO group, and every tool call — all written in the one
 * transaction that also commits the question's offset.
 */
export function groupOutputs(ctx: GroupContext, rollouts: JudgedRollout[]): OutputRecord[] {
  const q = ctx.question;
  const members: GroupMember[] = rollouts.map((r) => ({
    rolloutIndex: r.index,
    reward: r.judged.reward,
    correct: r.judged.judgement.correct,
    termination: r.run.termination,
    prediction: r.run.prediction,
    f1: r.judged.judgement.f1,
    toolCalls: r.run.calls.length,
    signature: signature(r.run),
    grounded: r.process?.grounded ?? false,
  }));
  const decision = decideGroup(members, ctx.sftPerQuestion);
  const { disposition } = decision;
  const out: OutputRecord[] = [];

  rollouts.forEach((r, i) => {
    const llm = r.judged.llm ? addUsage(r.run.llm, r.judged.llm) : r.run.llm;
    const trajectory: Trajectory = {
      ...ctx.meta(r.id, [q.id]),
      question_id: q.id,
      question: q.question,
      reference_answer: q.answer,
      question_style: q.style,
      group_id: ctx.groupId,
      rollout_index: r.index,
      mode: ctx.mode,
      steps: r.run.steps,
      prediction: r.run.prediction,
      termination: r.run.termination,
      reward: r.judged.reward,
      judge: r.judged.judgement,
      policy: { model: ctx.policy.model, model_version: ctx.policy.modelVersion, ...ctx.policy.sampling, max_steps: ctx.maxCalls },
      tool_call_count: r.run.calls.length,
      disposition: disposition[i],
      llm,
      quality_label: r.judged.judgement.correct ? (r.process?.label ?? '') : '',
      quality_detail: r.judged.judgement.correct ? (r.process?.detail ?? '') : '',
    };
    for (const call of r.run.calls) {
      const record: ToolCall = {
        ...ctx.meta(contentId('toolcall', r.id, call.stepIndex), [r.id, q.id]),
        trajectory_id: r.id,
        step_index: call.stepIndex,
        tool: call.name,
        arguments_json: JSON.stringify(call.arguments),
        response: call.outcome.response,
        error: call.outcome.error,
        latency_ms: call.outcome.latencyMs,
      };
      out.push({ topic: 'fw.tool.calls', value: record });
    }
    out.push({ topic: 'fw.rollout.trajectories', value: trajectory });
    out.push({ topic: disposition[i] === 'sft' ? 'fw.sft.trajectories' : 'fw.trajectories.discarded', value: trajectory });
    // correct but not right for the right reason: labelled RL/CPT material, counted as a drop from SFT
    if (r.judged.judgement.correct && r.process && !r.process.grounded) out.push(ctx.drop(`sft_rejected_${r.process.label}`, r.id, r.process.detail.slice(0, 500), [r.id, q.id]));
  });

  const trajectoryIds = rollouts.map((r) => r.id);
  const group = rlGroupRecord(ctx.meta(ctx.groupId, [q.id, ...trajectoryIds]), q, trajectoryIds, members, decision, ctx.rlKeepSolved);
  if (decision.answerability === 'unanswerable') {
    out.push(ctx.drop('unanswerable', q.id, `${q.style}/${q.strategy}: none of ${members.length} rollouts found the answer`, [q.id, ...trajectoryIds]));
    return out;
  }
  if (!group) {
    // the question stays (its rollouts serve SFT); only its RL group is left out, so the drop names the group
    out.push(ctx.drop('rl_group_too_easy', ctx.groupId, `${q.style}/${q.strategy}: all ${members.length} rollouts found the answer; every advantage would be 0`, [q.id, ...trajectoryIds]));
    return out;
  }
  out.push({ topic: 'fw.rl.groups', value: group });
  return out;
}
