import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Question } from '../../services/platform/generated/records.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { leaveOneOutAdvantages } from '../../services/rollout/grpo.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../../services/rollout/eval/qa-file.ts';
import { rolloutStage } from '../../services/rollout/stage.ts';
import { waitForQuestions } from '../../services/rollout/eval/run.ts';
import { TestEnv } from '../support.ts';

const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');
const G = 4;

describe('rollout service through the real broker', () => {
  const env = new TestEnv({ ROLLOUT_G: String(G), ROLLOUT_MODE: 'react', ROLLOUT_POLICY: 'scripted', ROLLOUT_SFT_PER_QUESTION: '1' });
  const items = readQaFile(qaFile, 36).slice(30); // a slice where the scripted rollouts of some question disagree
  const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
  const questions: Question[] = items.map((item) => qaQuestion(item, qaFile, docIdsByItem.get(item.id) ?? [], 1));
  const poison: Question = { ...questions[0], id: 'question_empty', question: '   ' };
  let outputs: Awaited<ReturnType<typeof readAll>>;
  let trajectoryMetric: Array<{ value: number; labels: Partial<Record<string, string | number>> }> = [];

  async function readAll() {
    const [trajectories, sft, discarded, groups, toolCalls, dlq, drops] = await Promise.all([
      env.read('fw.rollout.trajectories'),
      env.read('fw.sft.trajectories'),
      env.read('fw.trajectories.discarded'),
      env.read('fw.rl.groups'),
      env.read('fw.tool.calls'),
      env.read('fw.dlq'),
      env.read('fw.drops'),
    ]);
    return { trajectories, sft, discarded, groups, toolCalls, dlq, drops };
  }

  beforeAll(async () => {
    await env.createTopics();
    await env.produce('fw.docs', docs);
    await env.produce('fw.fas.questions', [...questions, poison]);
    const running = await startStage(rolloutStage, { env: env.env, http: false, progressEveryMs: 0 });
    try {
      await waitForQuestions(running, questions.length + 1, G, 120_000); // every question has its group (or dead letter) committed
      await env.drain([{ groupId: running.groupId, inputs: rolloutStage.inputs }]);
      trajectoryMetric = (await running.metrics.registry.getSingleMetric('flywheel_rollout_trajectories_total')?.get())?.values ?? [];
    } finally {
      await running.stop();
    }
    outputs = await readAll();
  });
  afterAll(() => env.cleanup());

  it('writes G trajectories per question, each judged, with lineage to its question', () => {
    const { trajectories } = outputs;
    expect(trajectories).toHaveLength(questions.length * G);
    for (const q of questions) {
      const mine = trajectories.filter((t) => t.question_id === q.id);
      expect(mine.map((t) => t.rollout_index).sort()).toEqual([0, 1, 2, 3]);
      for (const t of mine) {
        expect(t.parent_ids).toEqual([q.id]);
        expect(t.question_style).toBe(q.style);
        expect(t.reference_answer).toBe(q.answer);
        expect(t.steps[0].tool_call?.name).toBe('search');
        expect(['answered', 'forced_answer_token_limit', 'call_budget']).toContain(t.termination);
        expect(t.judge.kind).toBe('exact_f1');
        expect(t.reward).toBe(t.judge.correct ? 1 : 0);
        expect(t.policy).toMatchObject({ model: 'scripted', max_steps: 16 });
        expect(['sft', 'rl_only', 'discarded']).toContain(t.disposition);
      }
    }
    expect(new Set(trajectories.map((t) => t.id)).size).toBe(trajectories.length);
    expect(trajectoryMetric.reduce((s, v) => s + v.value, 0)).toBe(trajectories.length);
    const correct = trajectoryMetric.filter((v) => v.labels.correct === 'true').reduce((s, v) => s + v.value, 0);
    expect(correct).toBe(trajectories.filter((t) => t.judge.correct).length);
    expect(trajectories.some((t) => t.judge.correct)).toBe(true);
  });

  it('splits every trajectory into kept (sft) or discarded, never both', () => {
    const { trajectories, sft, discarded } = outputs;
    expect(sft.length + discarded.length).toBe(trajectories.length);
    expect(sft.every((t) => t.disposition === 'sft' && t.judge.correct)).toBe(true);
    expect(discarded.every((t) => t.disposition !== 'sft')).toBe(true);
    const kept = new Set(sft.map((t) => t.id));
    expect(discarded.some((t) => kept.has(t.id))).toBe(false);
    for (const q of questions) expect(sft.filter((t) => t.question_id === q.id).length).toBeLessThanOrEqual(1);
  });

  it('keeps for SFT only correct rollouts that passed the process check; the other correct ones are labelled and counted as drops', () => {
    const { trajectories, sft, drops } = outputs;
    expect(sft.every((t) => t.quality_label === 'grounded' && t.quality_detail !== '')).toBe(true);
    const correct = trajectories.filter((t) => t.judge.correct);
    expect(correct.every((t) => t.quality_label !== '')).toBe(true);
    expect(trajectories.filter((t) => !t.judge.correct).every((t) => t.quality_label === '')).toBe(true);
    const rejected = correct.filter((t) => t.quality_label !== 'grounded');
    expect(rejected.every((t) => t.disposition !== 'sft')).toBe(true);
    const sftDrops = drops.filter((d) => d.reason.startsWith('sft_rejected_'));
    expect(sftDrops.map((d) => d.subject_id).sort()).toEqual(rejected.map((t) => t.id).sort());
    for (const d of sftDrops) expect(d.reason).toBe(`sft_rejected_${rejected.find((t) => t.id === d.subject_id)!.quality_label}`);
  });

  it('writes a GRPO group for each question some but not all rollouts solved; the others go to fw.drops', () => {
    const { trajectories, groups, drops } = outputs;
    const passes = new Map(questions.map((q) => [q.id, trajectories.filter((t) => t.question_id === q.id && t.judge.correct).length]));
    const useful = questions.filter((q) => passes.get(q.id)! > 0 && passes.get(q.id)! < G);
    const solved = questions.filter((q) => passes.get(q.id) === G);
    expect(useful.length).toBeGreaterThan(0);
    expect(useful.length).toBeLessThan(questions.length); // the slice has more than one kind
    expect(groups.map((g) => g.question_id).sort()).toEqual(useful.map((q) => q.id).sort());
    for (const g of groups) expect(g.answerability).toBe('useful');
    // always-solved: every advantage 0, left out of RL (the rollouts stay SFT material); the drop names the group
    const tooEasy = drops.filter((d) => d.reason === 'rl_group_too_easy');
    expect(tooEasy.map((d) => d.parent_ids[0]).sort()).toEqual(solved.map((q) => q.id).sort());
    expect(tooEasy.every((d) => d.subject_id.startsWith('group_') && d.detail.includes(`all ${G} rollouts`))).toBe(true);
    const unanswerable = drops.filter((d) => d.reason === 'unanswerable');
    expect(unanswerable.map((d) => d.subject_id).sort()).toEqual(questions.filter((q) => passes.get(q.id) === 0).map((q) => q.id).sort());
    expect(unanswerable.every((d) => d.stage === 'rollout' && d.detail.includes(`none of ${G} rollouts`))).toBe(true);
    // the seeded rollouts differ, so at least one group has something to learn from
    expect(groups.some((g) => g.advantages.some((a) => a !== 0))).toBe(true);
    for (const group of groups) {
      const members = group.trajectory_ids.map((id) => trajectories.find((t) => t.id === id)!);
      expect(members.every(Boolean)).toBe(true);
      expect(members.every((t) => t.group_id === group.id && t.question_id === group.question_id)).toBe(true);
      expect(group.rewards).toEqual(members.map((t) => t.reward));
      const expected = leaveOneOutAdvantages(group.rewards).map((a, i) => (group.loss_mask[i] ? a : 0));
      group.advantages.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 10));
      expect(group.pass_count).toBe(members.filter((t) => t.judge.correct).length);
      expect(group.parent_ids).toEqual([group.question_id, ...group.trajectory_ids]);
      members.forEach((t, i) => expect(group.loss_mask[i]).toBe(t.judge.correct || (t.prediction !== '' && ['answered', 'forced_answer_token_limit'].includes(t.termination))));
    }
  });

  it('records every tool call with lineage to its trajectory', () => {
    const { trajectories, toolCalls } = outputs;
    expect(toolCalls).toHaveLength(trajectories.reduce((s, t) => s + t.tool_call_count, 0));
    for (const call of toolCalls) {
      const t = trajectories.find((x) => x.id === call.trajectory_id)!;
      expect(t).toBeDefined();
      expect(call.parent_ids).toEqual([t.id, t.question_id]);
      const step = t.steps[call.step_index];
      expect(step.tool_call).toEqual({ name: call.tool, arguments_json: call.arguments_json });
      expect(step.tool_response).toBe(call.response);
    }
    const visits = toolCalls.filter((c) => c.tool === 'visit');
    expect(visits.length).toBeGreaterThan(0);
    expect(visits.every((c) => /^The useful information in local:\/\/doc\/doc_/.test(c.response))).toBe(true);
    // the pages come from the corpus the service read from fw.docs
    const docIds = new Set(docs.map((d) => d.id));
    expect(visits.every((c) => docIds.has(String(JSON.parse(c.arguments_json).url).replace('local://doc/', '')))).toBe(true);
  });

  it('dead-letters a question without text and nothing else', () => {
    expect(outputs.dlq).toHaveLength(1);
    expect(outputs.dlq[0]).toMatchObject({ stage: 'rollout', error_code: 'POISON_RECORD' });
    expect(outputs.trajectories.some((t) => t.question_id === poison.id)).toBe(false);
  });

  it('a second run of the same group id replays nothing (offsets were committed with the outputs)', async () => {
    const again = await startStage(rolloutStage, { env: env.env, http: false, progressEveryMs: 0 });
    try {
      await env.drain([{ groupId: again.groupId, inputs: rolloutStage.inputs }]);
    } finally {
      await again.stop();
    }
    expect(await env.read('fw.rollout.trajectories')).toHaveLength(questions.length * G);
  });
});
