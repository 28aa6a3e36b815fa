import { describe, expect, it } from 'vitest';
import type { JudgedRollout } from '../group.ts';
import { SftDedupe } from './sft-dedupe.ts';

const rollout = (index: number, prediction: string, evidenceKey: string | undefined, grounded = true): JudgedRollout =>
  ({
    index,
    id: `t${index}`,
    run: { steps: [], prediction, termination: 'answered', calls: [], llm: null },
    judged: { judgement: { kind: 'exact_f1', correct: true, em: 1, f1: 1, rationale: '' }, reward: 1, llm: null },
    process: { grounded, label: grounded ? 'grounded' : 'answer_off_attribute', detail: '', evidenceKey },
  }) as JudgedRollout;

describe('near-duplicate SFT samples', () => {
  const catan = 'the settlers of catan was first published in 1995';

  it('keeps the first question to give an answer from a sentence; a later question with the same is duplicate_sample', () => {
    const dedupe = new SftDedupe();
    const first = [rollout(0, '1995', catan), rollout(1, '1995', catan)];
    dedupe.apply('question_a', first);
    expect(first.map((r) => r.process!.label)).toEqual(['grounded', 'grounded']); // the same question's rollouts are not duplicates of each other
    const later = [rollout(0, '1995', catan), rollout(1, '1996', catan), rollout(2, '1995', 'another sentence'), rollout(3, '1995', catan, false)];
    dedupe.apply('question_b', later);
    expect(later.map((r) => r.process!.label)).toEqual(['duplicate_sample', 'grounded', 'grounded', 'answer_off_attribute']);
    expect(later[0].process!.detail).toContain('question_a');
    dedupe.apply('question_a', [rollout(0, '1995', catan)]); // a replay of the first question keeps its sample
  });

  it('forgets the oldest evidence beyond its bound', () => {
    const dedupe = new SftDedupe(1);
    dedupe.apply('q1', [rollout(0, '1', 'one')]);
    dedupe.apply('q2', [rollout(0, '2', 'two')]);
    const again = [rollout(0, '1', 'one')];
    dedupe.apply('q3', again);
    expect(again[0].process!.label).toBe('grounded');
  });
});
