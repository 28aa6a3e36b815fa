import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliContext } from '../../services/cli/context.ts';
import { exportRound } from '../../services/export/export.ts';
import type { Question } from '../../services/platform/generated/records.ts';
import { createLlmClient } from '../../services/platform/llm/index.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { rangeSizes } from '../../services/rounds/manifest.ts';
import { readRound } from '../../services/rounds/read-round.ts';
import { rescoreRound } from '../../services/rounds/rescore/rescore.ts';
import { checkStoredInputs, RescoreRefusedError } from '../../services/rounds/rescore/scorers.ts';
import { closeRound, openRound, readManifests } from '../../services/rounds/rounds.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../../services/rollout/eval/qa-file.ts';
import { waitForQuestions } from '../../services/rollout/eval/run.ts';
import { rolloutStage } from '../../services/rollout/stage.ts';
import { FakeOpenAiServer } from '../fakes/openai-server.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const run = execChild;
const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

describe('round rescore: a closed round judged again as a derived round, no rollout', () => {
  const env = new TestEnv({ ROLLOUT_G: '4', ROLLOUT_POLICY: 'scripted', FLYWHEEL_ROUND: '1' });
  const ctx = cliContext(env.env);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-rescore-'));
  const items = readQaFile(qaFile, 60);
  const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
  const questions: Question[] = items.map((item) => qaQuestion(item, qaFile, docIdsByItem.get(item.id) ?? [], 1));

  beforeAll(async () => {
    await env.createTopics();
    await openRound(ctx, { model: 'scripted', modelVersion: 'v1', env: env.env });
    await env.produce('fw.docs', docs);
    await env.produce('fw.fas.questions', questions);
    const rollout = await startStage(rolloutStage, { env: env.env, http: false, progressEveryMs: 0 });
    try {
      await waitForQuestions(rollout, questions.length, 4, 180_000);
      await env.drain([{ groupId: rollout.groupId, inputs: rolloutStage.inputs }]);
    } finally {
      await rollout.stop();
    }
    await closeRound(ctx);
  }, 300_000);
  afterAll(async () => {
    await env.cleanup();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('--reward f1 changes advantages, keeps the trajectory count, produces no rollout, and is idempotent', async () => {
    const original = await readRound(1, 'fw.rollout.trajectories', ctx);
    const first = await rescoreRound(ctx, { round: 1, judge: 'exact_f1', reward: 'f1' });
    console.log(`round 1: ${original.length} trajectories; derived round ${first.derived.round}:`, { ...first.diff, sftGained: first.diff.sftGained.length, sftLost: first.diff.sftLost.length });
    expect(first.derived).toMatchObject({ round: 2, status: 'closed', parent_round: 1, derivation: 'rescore judge=exact_f1 reward=f1 threshold=0.8' });
    expect(first.diff.trajectories).toBe(original.length);
    expect(first.diff.advantagesChanged).toBeGreaterThan(0);
    expect(first.diff.rewardsChanged).toBeGreaterThan(0);

    // no rollout: the derived round's ranges hold no trajectory, tool call or question; its datasets hold every trajectory once
    const sizes = rangeSizes(first.derived);
    for (const topic of ['fw.rollout.trajectories', 'fw.tool.calls', 'fw.fas.questions']) expect(sizes.get(topic) ?? 0, topic).toBe(0);
    const [sft, discarded, groups, scores] = await Promise.all([
      readRound(2, 'fw.sft.trajectories', ctx),
      readRound(2, 'fw.trajectories.discarded', ctx),
      readRound(2, 'fw.rl.groups', ctx),
      readRound(2, 'fw.scores', ctx),
    ]);
    expect(sft.length + discarded.length).toBe(original.length);
    expect(new Set([...sft, ...discarded].map((t) => t.parent_ids[0]))).toEqual(new Set(original.map((t) => t.id)));
    // lineage: the same trajectories; a group no rollout answered gets no RL group, as in the rollout stage
    const { unanswerable, tooEasy } = first.outputs.leftOut;
    expect(groups.length + unanswerable.length + tooEasy.length).toBe(new Set(original.map((t) => t.group_id)).size);
    expect(groups.every((g) => g.answerability === 'useful' && g.trajectory_ids.every((id) => original.some((t) => t.id === id)))).toBe(true);
    expect(groups.some((g) => g.rewards.some((r) => r > 0 && r < 1))).toBe(true); // F1 rewards
    // scores are append-only: the original verdict and the new one, per trajectory
    expect(scores).toHaveLength(2 * original.length);
    expect(new Set(scores.map((s) => s.scorer))).toEqual(new Set(['exact_f1/original', 'exact_f1/f1']));
    const anF1 = scores.find((s) => s.scorer === 'exact_f1/f1')!;
    expect(Object.keys(anF1.components).sort()).toEqual(['em', 'f1']);

    // running it again: same derived round, same ids, nothing written
    const second = await rescoreRound(ctx, { round: 1, judge: 'exact_f1', reward: 'f1' });
    expect(second.existing).toBe(true);
    expect(second.derived.round).toBe(2);
    const ids = (r: typeof first) => [...r.outputs.groups, ...r.outputs.sft, ...r.outputs.discarded, ...r.outputs.scores].map((x) => x.id).sort();
    expect(ids(second)).toEqual(ids(first));
    expect((await readManifests(ctx)).map((m) => m.round)).toEqual([1, 2]);
    expect(await readRound(2, 'fw.scores', ctx)).toHaveLength(scores.length);
    const cli = await run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'round', 'rescore', '--round', '1', '--judge', 'exact_f1', '--reward', 'f1'], {
      env: { ...env.env, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') },
      cwd: projectRoot,
    });
    expect(cli.stdout).toContain('round 1 was already re-scored this way: derived round 2');
    expect(cli.stdout).toMatch(/advantages changed\s+\d+/);
    console.log(cli.stdout);

    // exports and the Python reader work on the derived round
    const rl = await exportRound(ctx, { round: 2, format: 'verl-rl-parquet', out });
    const rows = await parquetReadObjects({ file: new Uint8Array(fs.readFileSync(rl.files[0].path)).buffer });
    expect(rows).toHaveLength(groups.length);
    const chat = await exportRound(ctx, { round: 2, format: 'openai-sft-jsonl', out });
    expect(chat.files[0].rows).toBe(sft.length);
    const python = path.join(projectRoot, 'examples/python/.venv/bin/python');
    if (fs.existsSync(python)) {
      const { stdout } = await run(python, [path.join(projectRoot, 'examples/python/read_round.py'), '--round', '2', '--out', path.join(out, 'py')], {
        env: { ...process.env, TOPIC_PREFIX: env.prefix, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') },
        timeout: 120_000,
      });
      expect(JSON.parse(stdout)).toMatchObject({ round: 2, parent_round: 1, records: { 'fw.sft.trajectories': sft.length, 'fw.rl.groups': groups.length, 'fw.cpt.samples': 0 } });
    } else console.warn('examples/python/.venv missing: Python reader not checked');
  }, 300_000);

  it('a binary re-scoring agrees with the original verdicts; an LLM judge re-scores through the shared client; bad requests are refused', async () => {
    const binary = await rescoreRound(ctx, { round: 1, judge: 'exact_f1', reward: 'binary' });
    expect(binary.derived).toMatchObject({ round: 3, parent_round: 1 });
    expect(binary.diff).toMatchObject({ flippedToCorrect: 0, flippedToIncorrect: 0, advantagesChanged: 0, sftGained: [], sftLost: [] });
    expect(binary.diff.kendallTau).toBeCloseTo(1);

    // an LLM judge (a fake OpenAI-compatible server standing in for the model): verdicts and usage are stored per score
    const fake = await FakeOpenAiServer.start({
      responder: (request) => {
        const prompt = String(request.body.messages?.at(-1)?.content ?? '');
        const reference = /Reference answer: (.*)/.exec(prompt)?.[1] ?? '';
        const predicted = /Predicted answer: (.*)/.exec(prompt)?.[1] ?? '';
        const correct = predicted.toLowerCase().includes(reference.toLowerCase().split(' ')[0]);
        return { content: JSON.stringify({ correct, rationale: 'fake' }), usage: { prompt_tokens: 50, completion_tokens: 5 } };
      },
    });
    const llm = createLlmClient({ baseURL: fake.url, model: 'fake-judge', cache: { enabled: false, dir: env.home, disabledPurposes: [] } });
    try {
      const judged = await rescoreRound(ctx, { round: 1, judge: 'llm', reward: 'f1', model: 'fake-judge', llm });
      expect(judged.derived).toMatchObject({ round: 4, parent_round: 1, derivation: 'rescore judge=llm reward=binary model=fake-judge' });
      console.log('llm judge vs original:', { ...judged.diff, sftGained: judged.diff.sftGained.length, sftLost: judged.diff.sftLost.length });
      const llmScores = (await readRound(4, 'fw.scores', ctx)).filter((x) => x.scorer === 'llm/binary');
      expect(llmScores.filter((x) => x.reward > 0).length).toBe(llmScores.filter((x) => x.correct).length);
      expect(llmScores.filter((x) => x.llm !== null).length).toBeGreaterThan(0); // empty predictions are judged without a call
    } finally {
      await llm.close();
      await fake.close();
    }

    const original = await readRound(1, 'fw.rollout.trajectories', ctx);
    expect(() => checkStoredInputs('exact_f1', [{ ...original[0], reference_answer: '' }])).toThrow(RescoreRefusedError);
    await expect(rescoreRound(ctx, { round: 1, judge: 'llm', reward: 'binary' })).rejects.toThrow(/needs a model/);
    await expect(rescoreRound(ctx, { round: 9, judge: 'exact_f1', reward: 'f1' })).rejects.toThrow(/round 9 has no manifest/);
    // a re-scoring that crashed after opening its derived round is finished by running it again
    const derivation = 'rescore judge=exact_f1 reward=binary threshold=0.5';
    await openRound(ctx, { model: 'scripted', env: {}, now: 1, derivedFrom: { round: 1, derivation, configHash: 'c' } });
    const resumed = await rescoreRound(ctx, { round: 1, judge: 'exact_f1', reward: 'binary', f1Threshold: 0.5 });
    expect(resumed).toMatchObject({ existing: false, derived: { round: 5, status: 'closed', parent_round: 1, derivation } });
    expect(await readRound(5, 'fw.rl.groups', ctx)).toHaveLength(resumed.outputs.groups.length);

    await openRound(ctx, { model: 'scripted', modelVersion: 'v2', env: env.env });
    await expect(rescoreRound(ctx, { round: 1, judge: 'exact_f1', reward: 'f1', f1Threshold: 0.5 })).rejects.toThrow(/round 6 is open/);
  }, 120_000);
});
