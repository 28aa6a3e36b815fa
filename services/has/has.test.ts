import { describe, expect, it } from 'vitest';
import type { CptSample, HasSample } from '../platform/generated/records.ts';
import { seededRandom } from '../platform/runtime/random.ts';
import { candidateKey, keyPhrases, realCandidate, scriptedCandidates } from './candidates.ts';
import { answerSurfaced, judgeSteps } from './judge-step.ts';
import { decisionBlock } from './render.ts';
import { hasStage } from './stage.ts';
import { FakeOpenAiServer } from '../../test/fakes/openai-server.ts';
import { processOnce } from '../../test/fixtures/stage-harness.ts';
import { sampleTrajectory } from '../../test/fixtures/trajectories.ts';

describe('step judgement', () => {
  it('marks the step whose response surfaced the answer, and the steps before it in a correct rollout', () => {
    const j = judgeSteps(sampleTrajectory());
    expect(j.get(0)).toMatchObject({ correct: true });
    expect(j.get(1)).toMatchObject({ correct: true, reason: expect.stringContaining('evidence') });
    expect(j.has(2)).toBe(false); // the answer step is not a tool decision
  });

  it('judges unhelpful steps of a failed rollout incorrect but keeps a step that found the evidence', () => {
    const t = sampleTrajectory({ judge: { kind: 'exact', correct: false, em: 0, f1: 0, rationale: '' }, prediction: 'Bride of the Monster' });
    const j = judgeSteps(t);
    expect(j.get(0)!.correct).toBe(false);
    expect(j.get(1)!.correct).toBe(true);
  });

  it('does not look for yes/no answers in text', () => {
    const t = sampleTrajectory({ reference_answer: 'no', judge: { kind: 'exact', correct: false, em: 0, f1: 0, rationale: '' } });
    expect([...judgeSteps(t).values()].every((s) => !s.correct)).toBe(true);
    expect(answerSurfaced('The Ed Wood page', 'ed wood')).toBe(true);
    expect(answerSurfaced('Edward Woodward', 'Ed Wood')).toBe(false);
  });
});

describe('scripted candidates', () => {
  it('are distinct from each other and from the real call, and reproducible for a seed', () => {
    const t = sampleTrajectory();
    const a = scriptedCandidates(t, t.steps[1], 3, seededRandom('x'));
    const b = scriptedCandidates(t, t.steps[1], 3, seededRandom('x'));
    expect(a).toEqual(b);
    expect(a.length).toBe(3);
    const keys = a.map(candidateKey);
    expect(new Set(keys).size).toBe(3);
    expect(keys).not.toContain(candidateKey(realCandidate(t.steps[1])));
    // only knowledge from before the step: the visit alternative must come from step 0's results
    for (const c of a.filter((c) => c.name === 'visit')) expect(['local://doc/plan9']).toContain(c.arguments.url);
  });

  it('finds the named things of a question', () => {
    expect(keyPhrases('Which film did the director of Plan 9 from Outer Space make?')).toContain('Plan 9 from Outer Space');
  });
});

describe('HAS text', () => {
  it('lists the options in tag format, names the choice, shows the response and the judgement', () => {
    const t = sampleTrajectory();
    const real = realCandidate(t.steps[0]);
    const alt = { thought: 'Try something else.', name: 'search', arguments: { query: ['Ed Wood'] } };
    const text = decisionBlock({ stepIndex: 0, options: [alt, real], chosen: 1, response: 'RESULT TEXT', judgement: { correct: false, reason: 'it did not help' } }, 1000);
    expect(text).toContain('Option 1:\n<think>\nTry something else.\n</think>\n<tool_call>\n{"name":"search","arguments":{"query":["Ed Wood"]}}\n</tool_call>');
    expect(text).toContain('Option 2:\n<think>\nI should find out who directed Plan 9 from Outer Space.\n</think>');
    expect(text).toContain('I will choose option 2.\n<tool_response>\nRESULT TEXT\n</tool_response>');
    expect(text).toMatch(/my judgement is incorrect: it did not help\.$/);
  });

  it('truncates long tool responses', () => {
    const text = decisionBlock({ stepIndex: 0, options: [], chosen: 0, response: 'x'.repeat(500), judgement: { correct: true, reason: 'r' } }, 100);
    expect(text).toContain('[… 400 more characters]');
  });
});

describe('has stage', () => {
  it('emits one decision per tool step with the real option at the chosen position, and one CPT text', async () => {
    const t = sampleTrajectory();
    const out = await processOnce(hasStage, 'fw.rollout.trajectories', t, { HAS_OPTIONS: '3' });
    const samples = out.filter((o) => o.topic === 'fw.has.samples').map((o) => o.value as HasSample);
    const cpt = out.filter((o) => o.topic === 'fw.cpt.samples').map((o) => o.value as CptSample);
    expect(samples.map((s) => s.step_index)).toEqual([0, 1]);
    for (const s of samples) {
      expect(s.options).toHaveLength(3);
      const chosen = JSON.parse(s.options[s.chosen]) as { name: string };
      expect(chosen.name).toBe(t.steps[s.step_index].tool_call!.name);
      expect(s.text).toContain(`I will choose option ${s.chosen + 1}.`);
      expect(s.text).toContain('my judgement is correct');
      expect(s.parent_ids).toEqual([t.id]);
    }
    expect(cpt).toHaveLength(1);
    expect(cpt[0]).toMatchObject({ origin: 'has', source_round: 1, parent_ids: [t.id] });
    expect(cpt[0].text).toContain('<answer>Glen or Glenda</answer>');
    // same input, same output (the runtime may replay a record)
    const again = await processOnce(hasStage, 'fw.rollout.trajectories', t, { HAS_OPTIONS: '3' });
    expect(again.map((o) => o.value)).toEqual(out.map((o) => o.value));
  });

  it('drops a rollout without tool calls', async () => {
    const t = sampleTrajectory({ steps: [{ index: 0, thought: 't', report: '', tool_call: null, tool_response: '', answer: 'x', input_tokens: 0, output_tokens: 0 }] });
    const out = await processOnce(hasStage, 'fw.rollout.trajectories', t);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ topic: 'fw.drops', value: { reason: 'no_tool_steps' } });
  });

  it('fails at start on a bad option count', async () => {
    await expect(processOnce(hasStage, 'fw.rollout.trajectories', sampleTrajectory(), { HAS_OPTIONS: '1' })).rejects.toThrow(/HAS_OPTIONS/);
  });

  it('falls back to perturbations when the model cannot produce usable alternatives', async () => {
    const fake = await FakeOpenAiServer.start({ responder: () => ({ content: 'I think you should search more.' }) });
    try {
      const env = { HAS_CANDIDATES: 'llm', HAS_OPTIONS: '3', FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: fake.url, LLM_MODEL: 'm', LLM_CACHE: 'false', LLM_STRUCTURED_RETRIES: '0' };
      const out = await processOnce(hasStage, 'fw.rollout.trajectories', sampleTrajectory(), env);
      const samples = out.filter((o) => o.topic === 'fw.has.samples').map((o) => o.value as HasSample);
      expect(samples).toHaveLength(2);
      expect(samples.every((s) => s.options.length === 3 && s.llm === null)).toBe(true);
      expect(fake.chatRequests.length).toBeGreaterThanOrEqual(2);
    } finally {
      await fake.close();
    }
  });
});
