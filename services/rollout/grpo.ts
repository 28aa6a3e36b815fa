/**
 * Group-level bookkeeping for GRPO after the Tongyi DeepResearch report: leave-one-out advantages (reward minus
 * the mean of the other G−1 rewards, no std), negatives that never reached a final answer masked out of the
 * loss, and rejection sampling that keeps the best correct rollouts for SFT.
 */

/** Terminations after which the trajectory holds a final answer. */
export const ANSWERED_TERMINATIONS = new Set(['answered', 'forced_answer_token_limit']);

export interface GroupMember {
  rolloutIndex: number;
  reward: number;
  correct: boolean;
  termination: string;
  prediction: string;
  f1: number;
  toolCalls: number;
  /** Hash of the action sequence: identical rollouts are kept for SFT only once. */
  signature: string;
  /** Passed the process check (answer or operands grounded in tool responses about the asked attribute). */
  grounded: boolean;
}

/** A_i = r_i − mean(r_j, j ≠ i). A group of one has nothing to compare with: advantage 0. */
export function leaveOneOutAdvantages(rewards: number[]): number[] {
  const n = rewards.length;
  if (n < 2) return rewards.map(() => 0);
  const total = rewards.reduce((s, r) => s + r, 0);
  return rewards.map((r) => r - (total - r) / (n - 1));
}

export function reachedFinalAnswer(member: Pick<GroupMember, 'termination' | 'prediction'>): boolean {
  return ANSWERED_TERMINATIONS.has(member.termination) && member.prediction.trim() !== '';
}

/**
 * false = excluded from the loss: an incorrect rollout that never produced a final answer (over budget, over
 * time, malformed, crashed). Without this filter the reference's RL training collapsed.
 */
export function lossMask(members: GroupMember[]): boolean[] {
  return members.map((m) => m.correct || reachedFinalAnswer(m));
}

/**
 * Advantages with masked members zeroed. The baseline still uses every reward: a masked rollout is a real sample
 * of how the policy does on the question, it just must not be pushed down for being cut off.
 */
export function groupAdvantages(members: GroupMember[]): { advantages: number[]; mask: boolean[] } {
  const mask = lossMask(members);
  const advantages = leaveOneOutAdvantages(members.map((m) => m.reward)).map((a, i) => (mask[i] ? a : 0));
  return { advantages, mask };
}

/**
 * Rejection sampling: the correct, grounded rollouts that ended with a final answer, best first (F1, a real answer before a
 * forced one, fewer tool calls, then index), distinct by action sequence, at most `keep`. Returns rollout indexes.
 */
export function selectForSft(members: GroupMember[], keep: number): number[] {
  const candidates = members
    .filter((m) => m.correct && m.grounded && reachedFinalAnswer(m))
    .sort(
      (a, b) =>
        b.f1 - a.f1 ||
        Number(b.termination === 'answered') - Number(a.termination === 'answered') ||
        a.toolCalls - b.toolCalls ||
        a.rolloutIndex - b.rolloutIndex,
    );
  const seen = new Set<string>();
  const kept: number[] = [];
  for (const m of candidates) {
    if (kept.length >= keep) break;
    if (seen.has(m.signature)) continue;
    seen.add(m.signature);
    kept.push(m.rolloutIndex);
  }
  return kept;
}

/** sft: kept; rl_only: not kept but carries signal for RL (in the loss, group not uniform); discarded: neither. */
export function dispositions(members: GroupMember[], kept: number[], mask: boolean[]): string[] {
  const uniform = members.every((m) => m.reward === members[0]?.reward);
  return members.map((m, i) => (kept.includes(m.rolloutIndex) ? 'sft' : mask[i] && !uniform ? 'rl_only' : 'discarded'));
}
