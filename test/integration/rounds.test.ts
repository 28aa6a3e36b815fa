import { stageConfigVariables } from '../../services/stages.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRound } from '../../services/export/export.ts';
import { hasStage } from '../../services/has/stage.ts';
import { topicCatalogue } from '../../services/platform/catalogue.ts';
import type { Trajectory } from '../../services/platform/generated/records.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { recycleStage } from '../../services/recycle/stage.ts';
import { readManifests, type RoundsContext } from '../../services/rounds/manifest.ts';
import { readRound } from '../../services/rounds/read-round.ts';
import { closeRound, openRound } from '../../services/rounds/rounds.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';

/** A rollout of the fixture question: correct ones found "Ed Wood" with a search, failed ones did not. */
function rollout(i: number, correct: boolean, round = 1): Trajectory {
  const base = sampleValues()['fw.rollout.trajectories'];
  return {
    ...base,
    round,
    rollout_index: i,
    steps: correct ? base.steps : [{ ...base.steps[0], tool_response: '1. [Plan 9](local://doc/2)' }, { ...base.steps[1], answer: 'Bela Lugosi' }],
    prediction: correct ? 'Ed Wood' : 'Bela Lugosi',
    judge: { ...base.judge, correct, em: correct ? 1 : 0, f1: correct ? 1 : 0 },
    reward: correct ? 1 : 0,
    disposition: correct ? 'sft' : 'discarded',
  };
}

describe('rounds: manifests, exports of exact ranges, recycling into the next round', () => {
  const env = new TestEnv({ STAGE_CONCURRENCY: '2' });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-rounds-'));
  const ctx: RoundsContext = {
    kafka: env.cluster,
    names: env.names,
    serde: env.serde,
    catalogue: topicCatalogue(),
  };
  beforeAll(() => env.createTopics());
  afterAll(async () => {
    await env.cleanup();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('round 1 → has samples, close, exact exports; round 2 picks up round 1 discards', async () => {
    // ---- round 1
    await expect(closeRound(ctx)).rejects.toThrow(/no round is open/);
    const opened = await openRound(ctx, { model: 'scripted', modelVersion: 'v1', env: { HAS_OPTIONS: '3' }, configVariables: stageConfigVariables() });
    expect(opened).toMatchObject({ round: 1, status: 'open', model_version: 'v1' });
    await expect(openRound(ctx, { model: 'x', env: env.env })).rejects.toThrow(/still open/);

    const rollouts = [rollout(0, true), rollout(1, true), rollout(2, false), rollout(3, false)];
    const kept = rollouts.filter((t) => t.judge.correct);
    const discarded = rollouts.filter((t) => !t.judge.correct);
    const values = sampleValues();
    await env.produce('fw.rollout.trajectories', rollouts);
    await env.produce('fw.sft.trajectories', kept);
    await env.produce('fw.trajectories.discarded', discarded);
    await env.produce('fw.rl.groups', [{ ...values['fw.rl.groups'], trajectory_ids: rollouts.map((t) => t.id), rewards: [1, 1, 0, 0], advantages: [0.67, 0.67, -0.67, -0.67], loss_mask: [true, true, true, true], pass_count: 2 }]);
    await env.produce('fw.tool.calls', [{ ...values['fw.tool.calls'], response: 'Ed Wood was an American filmmaker who directed Plan 9 from Outer Space and Glen or Glenda.' }]);

    const has = await startStage(hasStage, { env: { ...env.env, FLYWHEEL_ROUND: '1', HAS_OPTIONS: '3' }, http: false });
    await env.drain([{ groupId: has.groupId, inputs: hasStage.inputs }]);
    await has.stop();

    const hasSamples = await env.read('fw.has.samples');
    expect(hasSamples).toHaveLength(4); // one tool step per rollout
    expect(hasSamples.filter((s) => s.judgement_correct).map((s) => s.trajectory_id).sort()).toEqual(kept.map((t) => t.id).sort());
    for (const s of hasSamples) {
      expect(s.options).toHaveLength(3);
      expect(s.text).toContain(`I will choose option ${s.chosen + 1}.`);
    }
    const round1Cpt = await env.read('fw.cpt.samples');
    expect(round1Cpt.map((c) => c.origin)).toEqual(['has', 'has', 'has', 'has']);

    const closed1 = await closeRound(ctx);
    expect(closed1.status).toBe('closed');
    expect(closed1.ranges.filter((r) => r.topic === 'fw.sft.trajectories').reduce((s, r) => s + r.end - r.start, 0)).toBe(2);
    expect(closed1.ranges.every((r) => r.start === 0)).toBe(true);

    // produced after the close: belongs to round 2, never to round 1's exports
    const late = rollout(9, true, 2);
    await env.produce('fw.sft.trajectories', [late]);

    const sft = await exportRound(ctx, { round: 1, format: 'openai-sft-jsonl', out });
    const lines = fs.readFileSync(sft.files[0].path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.metadata.source_id).sort()).toEqual(kept.map((t) => t.id).sort());
    const call = lines[0].messages.find((m: { tool_calls?: unknown[] }) => m.tool_calls).tool_calls[0];
    expect(JSON.parse(call.function.arguments)).toEqual({ query: ['Ed Wood'] });

    const cpt1 = await exportRound(ctx, { round: 1, format: 'cpt-jsonl', out });
    expect(cpt1.files[0].rows).toBe(4);
    const rl = await exportRound(ctx, { round: 1, format: 'verl-rl-parquet', out });
    const rows = await parquetReadObjects({ file: toArrayBuffer(fs.readFileSync(rl.files[0].path)) });
    expect(rows).toHaveLength(1);
    expect(rows[0].reward_model).toEqual({ style: 'rule', ground_truth: 'Ed Wood' });
    const verlSft = await exportRound(ctx, { round: 1, format: 'verl-sft-parquet', mixture: 'sft-a', out });
    expect(verlSft.files.map((f) => f.rows)).toEqual([0, 2]); // no FAS questions in this round: stage 1 is empty

    // ---- round 2: a new model version; recycle turns round 1's discards into round 2's CPT
    const opened2 = await openRound(ctx, { model: 'scripted', modelVersion: 'v2', env: env.env });
    expect(opened2.ranges.filter((r) => r.topic === 'fw.sft.trajectories').reduce((s, r) => s + r.start, 0)).toBe(2);
    expect(opened2.ranges.every((r) => r.start === r.end)).toBe(true);
    const recycle = await startStage(recycleStage, { env: { ...env.env, FLYWHEEL_ROUND: '2' }, http: false });
    await env.drain([{ groupId: recycle.groupId, inputs: recycleStage.inputs }]);
    await recycle.stop();
    const closed2 = await closeRound(ctx);
    expect(closed2.round).toBe(2);

    const cpt2 = await readRound(2, 'fw.cpt.samples', ctx);
    const recycled = cpt2.filter((c) => c.origin === 'discarded_trajectory');
    expect(recycled.map((c) => c.parent_ids[0]).sort()).toEqual(discarded.map((t) => t.id).sort());
    expect(recycled.every((c) => c.round === 2 && c.source_round === 1)).toBe(true);
    expect(cpt2.filter((c) => c.origin === 'tool_record')).toHaveLength(1);
    expect(cpt2.some((c) => c.origin === 'has')).toBe(false); // round 1's samples stay in round 1
    expect((await readRound(2, 'fw.sft.trajectories', ctx)).map((t) => t.id)).toEqual([late.id]);
    expect((await readRound(1, 'fw.sft.trajectories', ctx)).map((t) => t.id).sort()).toEqual(kept.map((t) => t.id).sort());

    const manifests = await readManifests(ctx);
    expect(manifests.map((m) => [m.round, m.status, m.model_version])).toEqual([[1, 'closed', 'v1'], [2, 'closed', 'v2']]);
    // rounds tile each partition: round 2 starts where round 1 ended
    for (const r of closed2.ranges) {
      const prev = closed1.ranges.find((p) => p.topic === r.topic && p.partition === r.partition);
      expect(r.start).toBe(prev?.end ?? 0);
    }
  });
});

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
