import { describe, expect, it } from 'vitest';
import type { DecontamVerdict } from '../platform/generated/records.ts';
import { ContaminationFilter, contaminationBySet } from './verdicts.ts';

const verdict = (over: Partial<DecontamVerdict>): DecontamVerdict => ({
  id: 'v', round: 1, parent_ids: [], producer: { service: 'decontam', version: '1', instance: '' }, created_at: 0,
  subject_id: 'q1', subject_topic: 'fw.fas.questions', question_id: 'q1', set_name: 'dev', set_hash: 'h', tier: 'hard', rule: 'ngram13',
  field: 'question', eval_item_id: 'e1', matched_ngram: '', coverage: 1, checker_version: 'decontam-1', ...over,
});

describe('ContaminationFilter', () => {
  it('blocks a hit question, its trajectories and groups, and records derived from a hit record', () => {
    const filter = new ContaminationFilter([
      verdict({}),
      verdict({ subject_id: 't9', subject_topic: 'fw.rollout.trajectories', question_id: 'q2', field: 'tool_response' }),
    ]);
    expect(filter.blocks({ id: 'q1' })).toBe(true);
    expect(filter.blocks({ id: 't1', question_id: 'q1' })).toBe(true); // trajectory / RL group of the question
    expect(filter.blocks({ id: 'cpt1', parent_ids: ['t9'] })).toBe(true); // HAS or recycled text of a hit trajectory
    // a tool-response hit blocks that trajectory, not its question's other rollouts
    expect(filter.blocks({ id: 't8', question_id: 'q2' })).toBe(false);
    expect(filter.blocks({ id: 't9', question_id: 'q2' })).toBe(true);
  });

  it('a released review hit lets the record through; a later hit blocks it again', () => {
    const review = verdict({ tier: 'review', rule: 'minhash' });
    expect(new ContaminationFilter([review]).blocks({ id: 'q1' })).toBe(true);
    expect(new ContaminationFilter([review, { ...review, tier: 'released' }]).blocks({ id: 'q1' })).toBe(false);
    expect(new ContaminationFilter([review, { ...review, tier: 'released' }, verdict({ set_hash: 'h2' })]).blocks({ id: 'q1' })).toBe(true);
  });

  it('counts per set by the latest verdict of each record', () => {
    const rows = contaminationBySet([verdict({}), verdict({ subject_id: 'c1', subject_topic: 'fw.cpt.samples', tier: 'review' }), verdict({ subject_id: 'c1', subject_topic: 'fw.cpt.samples', tier: 'released' })]);
    expect(rows).toEqual([{ set: 'dev', hard: 1, review: 0, released: 1, questions: 1, trajectories: 0, cpt: 1 }]);
  });
});
