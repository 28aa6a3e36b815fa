import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFasStage } from '../../services/fas/stage.ts';
import { hasStage } from '../../services/has/stage.ts';
import { createMemoryStage } from '../../services/memory/extract-stage.ts';
import type { Cluster, Document, LlmUsage } from '../../services/platform/generated/records.ts';
import { createLlmClient, type FlywheelLlmClient } from '../../services/platform/llm/client.ts';
import { LlmTruncatedError } from '../../services/platform/llm/errors.ts';
import { defaultLocalModelPath, LOCAL_MODEL_NAME } from '../../services/platform/llm/config.ts';
import { startLocalLlmServer, type LocalLlmServer } from '../../services/platform/llm/local-server.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import type { AnyStage } from '../../services/platform/runtime/stage.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../../services/rollout/eval/qa-file.ts';
import { waitForQuestions } from '../../services/rollout/eval/run.ts';
import { llmJudge } from '../../services/rollout/judge/judge.ts';
import { createRolloutStage } from '../../services/rollout/stage.ts';
import { drainByCount } from '../fixtures/knowledge-drain.ts';
import { sampleTrajectory } from '../fixtures/trajectories.ts';
import { fixtureMeta, TestEnv } from '../support.ts';

/**
 * Every LLM strategy against the embedded model (SmolLM2-135M behind the OpenAI-compatible endpoint, one
 * server for the file), through the real stages and broker. Plumbing only: records decode with their schemas,
 * carry lineage and `llm` usage naming the model, and nothing is dead-lettered. What the model says is not
 * judged. Prompts, budgets and G are kept tiny: a 135M model on a shared CPU writes a few dozen tokens a second.
 */
const modelPath = process.env.LLM_LOCAL_MODEL_PATH ?? defaultLocalModelPath;
const installed = fs.existsSync(modelPath);
if (!installed) console.warn(`[llm-real] SKIPPED: no embedded model at ${modelPath} — run scripts/install-model.sh`);

const DOC = 'Ada Moreno was a lighthouse keeper in Port Calder. Ada Moreno was born in Valparaiso in 1851.';

function expectUsage(llm: LlmUsage | null | undefined, endpoint: string): void {
  expect(llm).toMatchObject({ model: LOCAL_MODEL_NAME, endpoint, cost_usd: 0 });
  expect(llm!.calls).toBeGreaterThanOrEqual(1);
  expect(llm!.input_tokens).toBeGreaterThan(0);
  expect(llm!.output_tokens).toBeGreaterThan(0);
  expect(llm!.prompt_template_hash).toMatch(/^[0-9a-f]{16}$/);
}

async function expectNothingDeadLettered(env: TestEnv): Promise<void> {
  expect((await env.read('fw.dlq')).map((l) => `${l.error_code}: ${l.error_message}`)).toEqual([]);
}

describe.skipIf(!installed)('every LLM strategy against the embedded model server', () => {
  let server: LocalLlmServer;
  let llm: FlywheelLlmClient;
  const registry = new client.Registry();
  const envs: TestEnv[] = [];
  const newEnv = (extra: NodeJS.ProcessEnv) => {
    const env = new TestEnv({ LOG_LEVEL: 'error', ...extra });
    envs.push(env);
    return env;
  };
  const run = async (env: TestEnv, stage: AnyStage, produce: () => Promise<void>) => {
    await env.createTopics();
    await produce();
    const running = await startStage(stage, { env: env.env, http: false, progressEveryMs: 0, llm });
    try {
      // by records consumed and none in flight: an offset-lag drain can end while the one slow call is running
      await drainByCount(env.kafka, [{ running, topics: stage.inputs.map((t) => env.topic(t)) }], 600_000);
    } finally {
      await running.stop();
    }
  };

  beforeAll(async () => {
    server = await startLocalLlmServer({ modelPath, name: LOCAL_MODEL_NAME, contextSize: 4096, threads: 1, parallel: 1, host: '127.0.0.1', port: 0 });
    llm = createLlmClient(
      { provider: 'local', baseURL: server.url, model: LOCAL_MODEL_NAME, timeoutMs: 600_000, cache: { enabled: false, dir: os.tmpdir(), disabledPurposes: [] } },
      { logger: createLogger({ level: 'error' }), registry },
    );
  });
  afterAll(async () => {
    const retries = (await registry.getSingleMetric('flywheel_llm_retries_total')?.get())?.values ?? [];
    const requests = (await registry.getSingleMetric('flywheel_llm_requests_total')?.get())?.values ?? [];
    console.log('[llm-real] requests', JSON.stringify(requests.map((v) => [v.labels.purpose, v.labels.outcome, v.value])), 'retries', JSON.stringify(retries.map((v) => [v.labels.purpose, v.labels.reason, v.value])));
    await server?.close();
    for (const env of envs) await env.cleanup();
  });

  it('memory extraction on one document', { timeout: 900_000 }, async () => {
    const env = newEnv({ MEMORY_EXTRACTOR: 'llm', MEMORY_LLM_MAX_FACTS: '2' });
    const doc: Document = { ...fixtureMeta('doc'), source_kind: 'jsonl', source_uri: 'x', url: '', title: 'Ada Moreno', text: DOC, lang: 'en', content_hash: 'ada', quality: {} };
    await run(env, createMemoryStage(), () => env.produce('fw.docs', [doc]));
    await expectNothingDeadLettered(env);
    const facts = await env.read('fw.memory.facts');
    expect(facts.length).toBeGreaterThanOrEqual(1);
    for (const f of facts) {
      expect(f).toMatchObject({ extractor: 'llm', doc_id: doc.id });
      expect(f.parent_ids).toContain(doc.id);
    }
    expectUsage(facts.find((f) => f.llm)?.llm, server.url); // usage is counted once per document
  });

  it('FAS questions on one cluster', { timeout: 900_000 }, async () => {
    const env = newEnv({ FAS_STRATEGY: 'llm', FAS_LLM_MAX_QUESTIONS: '1', FAS_PERSPECTIVES: '1', FAS_DEDUP_RELOAD: 'false' });
    const cluster: Cluster = {
      ...fixtureMeta('cl'),
      kind: 'random_walk',
      seed: 1,
      entities: [
        { entity_id: 'ada_moreno', name: 'Ada Moreno', statements: ['Ada Moreno was born in Valparaiso in 1851.'], doc_ids: ['doc_a'], statement_doc_ids: ['doc_a'] },
        { entity_id: 'port_calder', name: 'Port Calder', statements: ['Ada Moreno was a lighthouse keeper in Port Calder.'], doc_ids: ['doc_a'], statement_doc_ids: ['doc_a'] },
      ],
      edges: [{ from: 'ada_moreno', to: 'port_calder', kind: 'co_mention' }],
      shared_attribute: '',
    };
    await run(env, createFasStage(), () => env.produce('fw.memory.clusters', [cluster]));
    await expectNothingDeadLettered(env);
    const questions = await env.read('fw.fas.questions');
    const drops = await env.read('fw.drops');
    // the model's question is kept or dropped by the stage's checks; either way the cluster produced an outcome
    expect(questions.length + drops.length).toBeGreaterThanOrEqual(1);
    for (const d of drops) expect(d.parent_ids).toContain(cluster.id);
    for (const q of questions) {
      expect(q).toMatchObject({ strategy: 'llm', cluster_id: cluster.id });
      expect(q.parent_ids).toContain(cluster.id);
    }
    if (questions.length) expectUsage(questions.find((q) => q.llm)?.llm, server.url); // usage rides on the cluster's first question
  });

  for (const mode of ['react', 'iterresearch'] as const) {
    it(`one rollout (G=1) with the LLM policy in ${mode} mode, ROLLOUT_JUDGE=llm`, { timeout: 900_000 }, async () => {
      const env = newEnv({
        ROLLOUT_POLICY: 'llm',
        ROLLOUT_MODE: mode,
        ROLLOUT_G: '1',
        ROLLOUT_MAX_CALLS: '2',
        ROLLOUT_MAX_TOKENS_PER_CALL: '64',
        ROLLOUT_JUDGE: 'llm',
        SEARCH_RESULTS: '2',
      });
      const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');
      const items = readQaFile(qaFile, 1);
      const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
      const question = qaQuestion(items[0], qaFile, docIdsByItem.get(items[0].id) ?? [], 1);
      const stage = createRolloutStage();
      await env.createTopics();
      await env.produce('fw.docs', docs);
      const running = await startStage(stage, { env: env.env, http: false, progressEveryMs: 0, llm });
      try {
        await env.produce('fw.fas.questions', [question]);
        await waitForQuestions(running, 1, 1, 600_000);
        await env.drain([{ groupId: running.groupId, inputs: stage.inputs }], 600_000);
      } finally {
        await running.stop();
      }
      await expectNothingDeadLettered(env);
      const [trajectory, ...more] = await env.read('fw.rollout.trajectories');
      expect(more).toEqual([]);
      expect(trajectory).toMatchObject({ question_id: question.id, mode, policy: { model: LOCAL_MODEL_NAME } });
      expect(trajectory.parent_ids).toContain(question.id);
      expect(trajectory.steps.length).toBeGreaterThanOrEqual(1);
      expect(trajectory.judge.kind).toBe('llm'); // an empty prediction is judged without a call; the judge's own test calls it
      expectUsage(trajectory.llm, server.url);
      // not asserted (quality): what a 135M model did with its calls, for whoever reads the log
      console.log(`[llm-real] ${mode}: ${trajectory.termination} after ${trajectory.llm!.calls} call(s), ${trajectory.steps.length} step(s)`);
      // a group of one has nothing to compare: solved (too easy) or not (unanswerable), it stays out of fw.rl.groups
      expect(await env.read('fw.rl.groups')).toEqual([]);
      const drops = await env.read('fw.drops');
      if (trajectory.judge.correct) expect(drops.filter((d) => d.reason === 'rl_group_too_easy').map((d) => d.parent_ids[0])).toContain(question.id);
      else expect(drops.filter((d) => d.reason === 'unanswerable').map((d) => d.subject_id)).toContain(question.id);
    });
  }

  it('HAS candidates for one step', { timeout: 900_000 }, async () => {
    const env = newEnv({ HAS_CANDIDATES: 'llm', HAS_OPTIONS: '2' });
    const base = sampleTrajectory({ id: `traj_real_${Date.now()}` });
    const trajectory = { ...base, steps: [base.steps[0], { ...base.steps[2], index: 1 }], tool_call_count: 1 };
    await run(env, hasStage, () => env.produce('fw.rollout.trajectories', [trajectory]));
    await expectNothingDeadLettered(env);
    const [sample, ...more] = await env.read('fw.has.samples');
    expect(more).toEqual([]);
    expect(sample).toMatchObject({ trajectory_id: trajectory.id, step_index: 0, parent_ids: [trajectory.id] });
    expect(sample.options).toHaveLength(2);
    for (const option of sample.options) expect(JSON.parse(option)).toMatchObject({ name: expect.any(String), arguments: expect.any(Object) });
    expectUsage(sample.llm, server.url); // set only when the model's reply was used (not the perturbation fallback)
  });

  it('a reply cut at max_tokens: asked once more with twice the budget, then LLM_OUTPUT_TRUNCATED', { timeout: 300_000 }, async () => {
    const Long = z.object({ text: z.string().min(60).max(200) });
    const error = await llm
      .structured({ purpose: 'cut-test', messages: [{ role: 'user', content: 'Describe Paris.' }], schema: Long, schemaName: 'long', max_tokens: 4, temperature: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmTruncatedError);
    expect((error as LlmTruncatedError).code).toBe('LLM_OUTPUT_TRUNCATED');
    expect((error as Error).message).toMatch(/cut at max_tokens=8 again after doubling/); // asked with 4, then 8
    const retries = (await registry.getSingleMetric('flywheel_llm_retries_total')!.get()).values.filter((v) => v.labels.purpose === 'cut-test');
    expect(retries.map((v) => [v.labels.reason, v.value])).toEqual([['truncated', 1]]);
  });

  it('the LLM judge on one answer', { timeout: 900_000 }, async () => {
    const { judgement, reward, llm: usage } = await llmJudge(llm).judge({ question: 'What is the capital of France?', reference: 'Paris', prediction: 'Paris' });
    expect(judgement.kind).toBe('llm');
    expect(typeof judgement.correct).toBe('boolean');
    expect(reward).toBe(judgement.correct ? 1 : 0);
    expectUsage(usage, server.url);
  });
});
