import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { sampleValues } from '../fixtures/records.ts';
import { knownRound } from './analytics-round.ts';

export const XSS = '<script>window.__xss = 1</script>';

/**
 * The analytics views' known round (test/integration/analytics-round.ts), plus what the viewer needs to show:
 * a rejected rollout that parts from the accepted one at step 1, a HAS decision, a round manifest, record text
 * holding markup (which must show as text), and a second, smaller round to compare with.
 */
export function viewerRounds(round: number) {
  const { records, expected } = knownRound(round);
  const s = sampleValues();
  const rollouts = records['fw.rollout.trajectories']!;
  const byId = (id: string) => rollouts.find((t) => t.id === id)!;
  // the same objects are on the SFT and discarded topics, so these edits reach every copy
  byId('t_fact_0').question = `Who directed Plan 9? ${XSS}`;
  const rejected = byId('t_fact_1');
  rejected.steps = [
    rejected.steps[0],
    { ...rejected.steps[0], index: 1, thought: `open the first hit <img src=x onerror="window.__xss = 2">`, tool_call: { name: 'visit', arguments_json: JSON.stringify({ url: 'local://doc/2' }) }, tool_response: 'Plan 9 from Outer Space is a 1957 film starring Bela Lugosi.' },
    { ...rejected.steps[0], index: 2, thought: 'the star must be the director', tool_call: null, tool_response: '', answer: 'Bela Lugosi' },
  ];
  rejected.prediction = 'Bela Lugosi';
  rejected.rollout_index = 1;
  byId('t_num_1').rollout_index = 1;
  byId('t_hard_1').rollout_index = 1;
  // the groups name their own rollouts, with leave-one-out advantages (G = 2: ±1 when they differ, 0 when equal)
  for (const group of records['fw.rl.groups']!) {
    group.trajectory_ids = [...group.parent_ids];
    group.rewards = group.trajectory_ids.map((id) => byId(id).reward);
    group.advantages = group.rewards.map((r, i) => r - group.rewards[1 - i]);
    group.loss_mask = group.rewards.map(() => true);
    group.pass_count = group.rewards.filter((r) => r > 0).length;
  }
  rejected.tool_call_count = 2;
  const meta = { round, producer: { service: 'test', version: '1', instance: 'i' }, created_at: 1_700_000_000_000 };
  records['fw.has.samples'] = [{
    ...s['fw.has.samples'], ...meta, id: 'has_1', parent_ids: ['t_fact_0'], trajectory_id: 't_fact_0', step_index: 0, chosen: 1,
    options: ['visit({"url":"local://doc/2"})', 'search({"query":["Ed Wood"]})', `answer: ${XSS}`], judgement_correct: true,
    text: 'Which action comes next? The chosen one searched for Ed Wood.',
  }];
  records['fw.rounds'] = [{ ...s['fw.rounds'], ...meta, id: `round_${round}`, parent_ids: [], status: 'closed', model: 'scripted-policy', model_version: 'v1' }];
  records['fw.cpt.samples']!.push({ ...s['fw.cpt.samples'], ...meta, id: 'cpt_xss', parent_ids: ['doc_2'], origin: 'document', text: `crawled page text ${XSS}` });
  for (const letter of records['fw.dlq']!) letter.original_headers = { 'fw.error.code': letter.error_code, 'fw.error.stage': letter.stage, 'fw.original.topic': letter.original_topic };

  // round + 1: the numeric question again, both rollouts accepted, under new ids
  const next = round + 1;
  const suffix = <T extends { id: string; round: number; parent_ids: string[] }>(r: T): T => ({ ...r, id: `${r.id}_r${next}`, round: next, parent_ids: r.parent_ids.map((p) => `${p}_r${next}`) });
  const nextRollouts = rollouts.filter((t) => t.question_id === 'q_num').map((t) => ({ ...suffix(t), question_id: 'q_num_r' + next }));
  const extra: { [T in TopicName]?: Array<TopicValues[T]> } = {
    'fw.fas.questions': records['fw.fas.questions']!.filter((q) => q.id === 'q_num').map(suffix),
    'fw.rollout.trajectories': nextRollouts,
    'fw.sft.trajectories': nextRollouts,
    'fw.rounds': [{ ...records['fw.rounds'][0], id: `round_${next}`, round: next, model_version: 'v2' }],
  };
  for (const [topic, values] of Object.entries(extra) as Array<[TopicName, unknown[]]>) (records[topic] as unknown[]).push(...values);
  return { records, expected };
}
