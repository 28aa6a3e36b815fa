import { describe, expect, it } from 'vitest';
import { processOnce } from '../../test/fixtures/stage-harness.ts';
import { sampleTrajectory } from '../../test/fixtures/trajectories.ts';
import type { CptSample, DecontamVerdict, Drop, EvalSet } from '../platform/generated/records.ts';
import { recordMeta } from '../platform/records.ts';
import { createDecontamStage } from './stage.ts';

const producer = { service: 'test', version: '1', instance: '' };
const question = 'Which Australian city founded in 1838 contains a boarding school opened by a Prime Minister of Australia?';
const set: EvalSet = { ...recordMeta({ id: 'evalset_1', round: 0, producer, now: 0 }), name: 'bench', source: 'b.jsonl', content_hash: 'h1', items: [{ id: 'e1', question, answer: 'Marion' }] };
const stage = createDecontamStage({ sets: [set] });

describe('decontam stage', () => {
  it('a hard hit: a verdict naming the rule, field, eval item and n-gram, and a drop contaminated:<set>', async () => {
    const cpt: CptSample = { ...recordMeta({ id: 'cpt_1', round: 2, producer, now: 0 }), origin: 'has', text: `Question: ${question}\n\nI will choose option 1.`, source_round: 2, approx_tokens: 20 };
    const out = await processOnce(stage, 'fw.cpt.samples', cpt, {}, 2);
    expect(out.map((o) => o.topic)).toEqual(['fw.decontam.verdicts', 'fw.drops']);
    expect(out[0].value as DecontamVerdict).toMatchObject({ subject_id: 'cpt_1', subject_topic: 'fw.cpt.samples', set_name: 'bench', set_hash: 'h1', tier: 'hard', rule: 'ngram13', field: 'text', eval_item_id: 'e1', round: 2 });
    expect((out[0].value as DecontamVerdict).matched_ngram.split(' ')).toHaveLength(13);
    expect(out[1].value as Drop).toMatchObject({ stage: 'decontam', reason: 'contaminated:bench', subject_id: 'cpt_1' });
  });

  it('checks a trajectory field by field: a search query holding the question is a hit on tool_arguments', async () => {
    const t = sampleTrajectory({});
    const steps = [{ ...t.steps[0], thought: '', tool_call: { name: 'search', arguments_json: JSON.stringify({ query: [question] }) }, tool_response: 'nothing' }];
    const out = await processOnce(stage, 'fw.rollout.trajectories', { ...t, steps }, {});
    expect(out[0].value as DecontamVerdict).toMatchObject({ subject_topic: 'fw.rollout.trajectories', field: 'tool_arguments', question_id: t.question_id });
  });

  it('a clean record gives nothing', async () => {
    expect(await processOnce(stage, 'fw.rollout.trajectories', sampleTrajectory({}), {})).toEqual([]);
  });
});
