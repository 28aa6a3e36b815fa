import { describe, expect, it } from 'vitest';
import { sampleValues } from '../../test/fixtures/records.ts';
import type { Drop, Question, Trajectory } from '../platform/generated/records.ts';
import { qualityFromRecords, renderQualityReport } from './quality.ts';

const s = sampleValues();
const question = (id: string, style: string, strategy: string): Question => ({ ...s['fw.fas.questions'], id, style, strategy });
const rollout = (questionId: string, correct: boolean, disposition = 'discarded', label = ''): Trajectory => ({
  ...s['fw.rollout.trajectories'], id: `${questionId}-${Math.random()}`, question_id: questionId, disposition, quality_label: label,
  judge: { kind: 'exact_f1', correct, em: Number(correct), f1: Number(correct), rationale: '' },
});
const drop = (stage: string, reason: string, subject: string): Drop => ({ ...s['fw.drops'], id: `${stage}-${reason}-${subject}`, stage, reason, subject_id: subject });

describe('quality report from a round\'s records (the demo summary)', () => {
  // q1: 1 of 2 correct (useful, SFT), q2: 2 of 2 (too easy; one correct rollout failed the process check), q3: 0 of 2
  const sft = [rollout('question_1', true, 'sft', 'grounded')];
  const rollouts = [
    ...sft, rollout('question_1', false),
    rollout('question_2', true, 'rl_only', 'operand_unsupported'), rollout('question_2', true, 'discarded', 'searched_for_answer'),
    rollout('question_3', false), rollout('question_3', false),
  ];
  const report = qualityFromRecords(2, {
    questions: [question('question_1', 'numeric', 'template'), question('question_2', 'numeric', 'template'), question('question_3', 'factual', 'llm'), question('question_4', 'factual', 'llm')],
    drops: [drop('fas', 'answer_in_question', 'question_9'), drop('fas', 'answer_in_question', 'question_8'), drop('rollout', 'unanswerable', 'question_3'), drop('ingest', 'too_short', 'doc_1')],
    rollouts,
    sft,
  });

  it('counts answerable, too easy and unanswerable per style and strategy, question drops by reason, process-check labels', () => {
    expect(report.rows).toEqual([
      { style: 'factual', strategy: 'llm', published: 2, rolled_out: 1, answerable: 0, too_easy: 0, unanswerable: 1, with_sft: 0 },
      { style: 'numeric', strategy: 'template', published: 2, rolled_out: 2, answerable: 2, too_easy: 1, unanswerable: 0, with_sft: 1 },
    ]);
    expect(report.drops).toEqual([
      { stage: 'fas', reason: 'answer_in_question', questions: 2 },
      { stage: 'rollout', reason: 'unanswerable', questions: 1 },
    ]);
    expect(report.checks).toEqual([
      { label: 'grounded', correct_rollouts: 1, kept_for_sft: 1 },
      { label: 'operand_unsupported', correct_rollouts: 1, kept_for_sft: 0 },
      { label: 'searched_for_answer', correct_rollouts: 1, kept_for_sft: 0 },
    ]);
  });

  it('says so when a round has no questions', () => {
    expect(renderQualityReport({ round: 7, rows: [], drops: [], checks: [] })).toBe('round 7 — data quality: no questions recorded');
  });

  it('renders totals, the per-style table, drops by reason and the process check', () => {
    const text = renderQualityReport(report);
    expect(text).toContain('questions made 6: dropped before rollout 2, published 4, rolled out 3; answerable 2 (66.7%), of which too easy for RL 1 (33.3%), unanswerable 1 (33.3%)');
    expect(text).toContain('correct rollouts 3: grounded 1 (33.3%)');
    expect(text).toMatch(/numeric\s+template\s+2\s+2\s+2\s+1\s+0\s+1\s+100\.0%\s+50\.0%/);
    expect(text).toMatch(/fas\s+answer_in_question\s+2/);
    expect(text).toMatch(/operand_unsupported\s+1\s+0/);
  });
});
