import { describe, expect, it } from 'vitest';
import { dispositions, groupAdvantages, leaveOneOutAdvantages, lossMask, selectForSft, type GroupMember } from './grpo.ts';

const member = (i: number, over: Partial<GroupMember> = {}): GroupMember => ({
  rolloutIndex: i,
  reward: 0,
  correct: false,
  termination: 'answered',
  prediction: 'x',
  f1: 0,
  toolCalls: 2,
  signature: `s${i}`,
  grounded: true,
  ...over,
});

describe('leave-one-out advantages', () => {
  it('is the reward minus the mean of the other G−1', () => {
    expect(leaveOneOutAdvantages([1, 0, 0, 1])).toEqual([1 - 1 / 3, 0 - 2 / 3, 0 - 2 / 3, 1 - 1 / 3]);
    expect(leaveOneOutAdvantages([0.5, 1])).toEqual([-0.5, 0.5]);
  });

  it('is zero for a uniform group and for a group of one', () => {
    expect(leaveOneOutAdvantages([1, 1, 1])).toEqual([0, 0, 0]);
    expect(leaveOneOutAdvantages([1])).toEqual([0]);
  });

  it('sums to zero times a factor: the advantages of a group balance out', () => {
    const a = leaveOneOutAdvantages([1, 0, 1, 1, 0]);
    expect(a.reduce((s, x) => s + x, 0)).toBeCloseTo(0, 10);
  });
});

describe('masking', () => {
  it('masks out negatives that never reached a final answer', () => {
    const members = [
      member(0, { reward: 1, correct: true }),
      member(1, { termination: 'call_budget', prediction: '' }),
      member(2, { termination: 'format_error', prediction: '' }),
      member(3, { termination: 'answered' }),
      member(4, { termination: 'forced_answer_token_limit', prediction: 'guess' }),
      member(5, { termination: 'time_limit', prediction: '' }),
      member(6, { termination: 'error', prediction: '' }),
    ];
    expect(lossMask(members)).toEqual([true, false, false, true, true, false, false]);
  });

  it('zeroes the advantage of masked members but keeps their reward in the baseline', () => {
    const { advantages, mask } = groupAdvantages([member(0, { reward: 1, correct: true }), member(1, { termination: 'call_budget', prediction: '' }), member(2)]);
    expect(mask).toEqual([true, false, true]);
    expect(advantages[0]).toBeCloseTo(1, 10); // 1 − mean(0, 0)
    expect(advantages[1]).toBe(0);
    expect(advantages[2]).toBeCloseTo(-0.5, 10); // 0 − mean(1, 0)
  });
});

describe('rejection sampling', () => {
  it('keeps the best correct answered rollouts, distinct, up to the limit', () => {
    const members = [
      member(0, { correct: true, reward: 1, f1: 1, toolCalls: 5, signature: 'a' }),
      member(1, { correct: true, reward: 1, f1: 1, toolCalls: 3, signature: 'b' }),
      member(2, { correct: true, reward: 1, f1: 1, toolCalls: 3, signature: 'b' }),
      member(3, { correct: false }),
      member(4, { correct: true, reward: 1, f1: 1, termination: 'forced_answer_token_limit', toolCalls: 1, signature: 'c' }),
    ];
    expect(selectForSft(members, 1)).toEqual([1]);
    expect(selectForSft(members, 3)).toEqual([1, 0, 4]);
    expect(selectForSft(members, 0)).toEqual([]);
    expect(selectForSft([member(0), member(1)], 2)).toEqual([]);
  });

  it('never keeps a correct rollout that failed the process check', () => {
    const members = [member(0, { correct: true, reward: 1, f1: 1, grounded: false, toolCalls: 1 }), member(1, { correct: true, reward: 1, f1: 1, toolCalls: 4 })];
    expect(selectForSft(members, 2)).toEqual([1]);
    expect(selectForSft([members[0]], 1)).toEqual([]);
  });

  it('labels sft, rl_only and discarded', () => {
    const members = [member(0, { correct: true, reward: 1 }), member(1, { correct: true, reward: 1, signature: 's0' }), member(2), member(3, { termination: 'call_budget', prediction: '' })];
    const { mask } = groupAdvantages(members);
    expect(dispositions(members, [0], mask)).toEqual(['sft', 'rl_only', 'rl_only', 'discarded']);
    const uniform = [member(0), member(1)];
    expect(dispositions(uniform, [], groupAdvantages(uniform).mask)).toEqual(['discarded', 'discarded']);
  });
});
