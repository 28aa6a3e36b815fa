import { describe, expect, it } from 'vitest';
import type { CptSample, ToolCall } from '../platform/generated/records.ts';
import { recordMeta } from '../platform/records.ts';
import { processOnce } from '../../test/fixtures/stage-harness.ts';
import { sampleTrajectory } from '../../test/fixtures/trajectories.ts';
import { recycleStage } from './stage.ts';

const toolCall = (overrides: Partial<ToolCall> = {}): ToolCall => ({
  ...recordMeta({ id: 'tc_1', round: 3, producer: { service: 'rollout', version: '1', instance: '' }, now: 0 }),
  trajectory_id: 'traj_unit_1',
  step_index: 0,
  tool: 'search',
  arguments_json: JSON.stringify({ query: ['Ed Wood films'] }),
  response: "A search for 'Ed Wood films' found 1 results:\n\n## Web Results\n1. [Ed Wood](local://doc/ed_wood)\nEd Wood made Glen or Glenda in 1953.",
  error: '',
  latency_ms: 2,
  ...overrides,
});

describe('recycle', () => {
  it('turns a discarded trajectory into next-round CPT text tagged with its origin', async () => {
    const t = sampleTrajectory({ round: 2, disposition: 'discarded', termination: 'call_budget', judge: { kind: 'f1', correct: false, em: 0, f1: 0.25, rationale: '' } });
    const [out] = await processOnce(recycleStage, 'fw.trajectories.discarded', t, {}, 2);
    expect(out.topic).toBe('fw.cpt.samples');
    const sample = out.value as CptSample;
    expect(sample).toMatchObject({ origin: 'discarded_trajectory', round: 3, source_round: 2, parent_ids: [t.id] });
    expect(sample.text.split('\n')[0]).toBe('[agent trajectory, react, ended: call_budget, judged incorrect (f1, F1 0.25)]');
    expect(sample.text).toContain(`Question: ${t.question}`);
    expect(sample.text).toContain('<tool_call>\n{"name":"visit","arguments":{"url":"local://doc/ed_wood","goal":"films from 1953"}}\n</tool_call>');
    expect(sample.text).toContain('<tool_response>\nEd Wood made Glen or Glenda in 1953');
    expect(sample.approx_tokens).toBe(Math.ceil(sample.text.length / 4));
  });

  it('drops a re-scored copy (round rescore): its original trajectory was recycled or kept in its own round', async () => {
    const t = sampleTrajectory({ round: 2, disposition: 'discarded' });
    const copy = { ...t, id: 'traj_rescored', parent_ids: [t.id], producer: { service: 'rescore', version: '1.0.0', instance: '' } };
    const [out] = await processOnce(recycleStage, 'fw.trajectories.discarded', copy, {}, 3);
    expect(out.topic).toBe('fw.drops');
    expect(out.value).toMatchObject({ reason: 'rescored_copy', subject_id: 'traj_rescored', detail: t.id });
  });

  it('turns a search record into text introduced by its query; the same result gets the same id', async () => {
    const [a] = await processOnce(recycleStage, 'fw.tool.calls', toolCall());
    const [b] = await processOnce(recycleStage, 'fw.tool.calls', toolCall({ id: 'tc_2', trajectory_id: 'other' }));
    const sample = a.value as CptSample;
    expect(sample).toMatchObject({ origin: 'tool_record', round: 4, source_round: 3 });
    expect(sample.text.startsWith('Search results for: Ed Wood films\n\n')).toBe(true);
    expect((b.value as CptSample).id).toBe(sample.id);
  });

  it('drops failed calls, empty results and empty trajectories with a reason', async () => {
    const failed = await processOnce(recycleStage, 'fw.tool.calls', toolCall({ error: 'timeout' }));
    const empty = await processOnce(recycleStage, 'fw.tool.calls', toolCall({ response: 'No results.' }));
    const noSteps = await processOnce(recycleStage, 'fw.trajectories.discarded', sampleTrajectory({ steps: [] }));
    expect([failed, empty, noSteps].map((o) => (o[0].value as { reason: string }).reason)).toEqual(['tool_error', 'tool_response_too_short', 'empty_trajectory']);
  });

  it('can leave tool records out', async () => {
    const [out] = await processOnce(recycleStage, 'fw.tool.calls', toolCall(), { RECYCLE_TOOL_RECORDS: 'false' });
    expect(out.topic).toBe('fw.drops');
  });
});
