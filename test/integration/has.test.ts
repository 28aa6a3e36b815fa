import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleTrajectory } from '../fixtures/trajectories.ts';
import { hasStage } from '../../services/has/stage.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { FakeOpenAiServer } from '../fakes/openai-server.ts';
import { TestEnv } from '../support.ts';

describe('has stage on the real broker', () => {
  const env = new TestEnv({ HAS_OPTIONS: '4' });
  beforeAll(() => env.createTopics());
  afterAll(() => env.cleanup());

  it('writes one decision per tool step and one CPT text per rollout, the same on a rerun; garbage goes to the DLQ', async () => {
    const rollouts = Array.from({ length: 6 }, (_, i) =>
      sampleTrajectory({
        id: `traj_has_${i}`,
        question_id: `q${i % 3}`,
        rollout_index: i,
        judge: { kind: 'exact', correct: i % 2 === 0, em: i % 2 === 0 ? 1 : 0, f1: i % 2 === 0 ? 1 : 0, rationale: '' },
      }),
    );
    await env.produce('fw.rollout.trajectories', rollouts, { raw: [Buffer.from('not avro')] });

    const first = await startStage(hasStage, { env: env.env, http: false });
    await env.drain([{ groupId: first.groupId, inputs: hasStage.inputs }]);
    await first.stop();
    const samples = await env.read('fw.has.samples');
    const cpt = await env.read('fw.cpt.samples');
    expect(samples).toHaveLength(12); // two tool steps each
    expect(cpt).toHaveLength(6);
    expect(new Set(cpt.map((c) => c.parent_ids[0]))).toEqual(new Set(rollouts.map((r) => r.id)));
    for (const s of samples) {
      expect(s.options).toHaveLength(4);
      expect(s.chosen).toBeGreaterThanOrEqual(0);
      expect(s.chosen).toBeLessThan(4);
      expect(s.text).toMatch(/my judgement is (correct|incorrect): /);
    }
    // the visit step surfaced the answer, so it is judged correct even in the failed rollouts
    expect(samples.filter((s) => s.step_index === 1).every((s) => s.judgement_correct)).toBe(true);
    expect(samples.filter((s) => s.step_index === 0).map((s) => s.judgement_correct).sort()).toEqual([false, false, false, true, true, true]);
    expect((await env.read('fw.dlq')).map((l) => l.error_code)).toEqual(['DECODE_FAILED']);

    // a second consumer group replays the topic: identical ids and texts (deterministic choices)
    const rerun = await startStage(hasStage, { env: env.env, http: false, groupId: `${env.prefix}has-rerun` });
    await env.drain([{ groupId: rerun.groupId, inputs: hasStage.inputs }]);
    await rerun.stop();
    const all = await env.read('fw.has.samples');
    expect(all).toHaveLength(24);
    const byId = new Map<string, string>();
    for (const s of all) {
      if (byId.has(s.id)) expect(s.text).toBe(byId.get(s.id));
      byId.set(s.id, s.text);
    }
    expect(byId.size).toBe(12);
  });

  it('asks the policy model for the alternatives when HAS_CANDIDATES=llm, and records the usage', async () => {
    const fake = await FakeOpenAiServer.start({
      responder: (request) => {
        const asked = String(request.body.messages?.at(-1)?.content ?? '');
        const step = asked.includes('"url"') ? 'visit' : 'search';
        return {
          content: JSON.stringify({
            candidates: [
              { thought: `model idea one for ${step}`, tool: 'search', arguments: { query: [`alt ${step} 1`] } },
              { thought: `model idea two for ${step}`, tool: 'google_scholar', arguments: { query: [`alt ${step} 2`] } },
            ],
          }),
          usage: { prompt_tokens: 50, completion_tokens: 20 },
        };
      },
    });
    const local = new TestEnv({ HAS_CANDIDATES: 'llm', HAS_OPTIONS: '3', FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: fake.url, LLM_MODEL: 'fake-model', LLM_CACHE: 'false' });
    await local.createTopics();
    try {
      await local.produce('fw.rollout.trajectories', [sampleTrajectory({ id: 'traj_llm' })]);
      const stage = await startStage(hasStage, { env: local.env, http: false });
      await local.drain([{ groupId: stage.groupId, inputs: hasStage.inputs }]);
      await stage.stop();
      const samples = await local.read('fw.has.samples');
      expect(samples).toHaveLength(2);
      for (const s of samples) {
        const options = s.options.map((o) => JSON.parse(o) as { thought: string });
        expect(options.filter((o) => o.thought.startsWith('model idea'))).toHaveLength(2);
        expect(s.llm).toMatchObject({ model: 'fake-model', input_tokens: 50, output_tokens: 20, calls: 1 });
      }
      expect(fake.chatRequests).toHaveLength(2);
      expect(String(fake.chatRequests[0].body.messages?.at(-1)?.content)).toContain('Question: Which film did the director of Plan 9');
    } finally {
      await local.cleanup();
      await fake.close();
    }
  });
});
