import pLimit from 'p-limit';
import type { RoundManifest, Trajectory } from '../../platform/generated/records.ts';
import { recordMeta } from '../../platform/records.ts';
import type { JudgeResult } from '../../rollout/judge/judge.ts';
import { closedManifest, RoundStateError, type RoundsContext } from '../manifest.ts';
import { readRound } from '../read-round.ts';
import { sendRecords } from '../send-records.ts';
import { closeRound, openRound, readManifests } from '../rounds.ts';
import { groupsOf, inferSftPerQuestion, originalScore, producer, rescoreOutputs, scoreRecord, type RescoreOutputs } from './compute.ts';
import { rescoreDiff, type RescoreDiff } from './diff.ts';
import { checkStoredInputs, makeScorer, type ScorerOptions } from './scorers.ts';

export interface RescoreOptions extends ScorerOptions {
  round: number;
  /** SFT picks per question; default: what the original round kept at most per question. */
  sftPerQuestion?: number;
  /** Keep groups every rollout solved as RL groups (the rollout stage's ROLLOUT_RL_KEEP_SOLVED); default false. */
  rlKeepSolved?: boolean;
  concurrency?: number;
  now?: number;
}

export interface RescoreResult {
  parent: RoundManifest;
  derived: RoundManifest;
  /** true when an identical re-scoring already existed: nothing was written. */
  existing: boolean;
  outputs: RescoreOutputs;
  diff: RescoreDiff;
}

/**
 * `flywheel round rescore`: judges a closed round's stored trajectories again and writes the new RL groups, SFT
 * selections, discarded sets and scores as a derived round (a new round number whose manifest names its parent
 * round and the derivation). No rollout runs. Re-running the same re-scoring finds the derived round it made and
 * writes nothing; every id derives from the original ids and the scorer, so the records are the same either way.
 */
export async function rescoreRound(ctx: RoundsContext, options: RescoreOptions): Promise<RescoreResult> {
  const scorer = makeScorer(options);
  const parent = await closedManifest(ctx, options.round);
  const manifests = await readManifests(ctx);
  const existing = manifests.find((m) => m.parent_round === parent.round && m.derivation === scorer.derivation && m.status === 'closed');
  const open = manifests.find((m) => m.status === 'open');
  // the same re-scoring left open by a crash mid-write: write everything again (same ids) and close it
  const resumed = open && open.parent_round === parent.round && open.derivation === scorer.derivation ? open : undefined;
  if (!existing && open && !resumed) throw new RoundStateError(`round ${open.round} is open: close it before re-scoring (a derived round takes the next round number)`);

  const trajectories = await readRound(parent.round, 'fw.rollout.trajectories', ctx);
  if (trajectories.length === 0) throw new RoundStateError(`round ${parent.round} has no trajectories to re-score`);
  checkStoredInputs(options.judge, trajectories);
  const groups = groupsOf(trajectories);
  const judged = await judgeAll(scorer.judge, groups.flat(), options.concurrency ?? 8);

  const round = existing?.round ?? resumed?.round ?? (manifests.at(-1)?.round ?? 0) + 1;
  const now = existing?.opened_at ?? resumed?.opened_at ?? options.now ?? Date.now();
  const sftPerQuestion = options.sftPerQuestion ?? inferSftPerQuestion(trajectories);
  const outputs = rescoreOutputs({ round, scorer, groups, judged, sftPerQuestion, rlKeepSolved: options.rlKeepSolved ?? false, now });
  const diff = rescoreDiff(outputs.rescored, await readRound(parent.round, 'fw.rl.groups', ctx), outputs.groups, outputs.leftOut);
  if (existing) return { parent, derived: existing, existing: true, outputs, diff };

  const opened = resumed ?? (await openRound(ctx, { model: parent.model, modelVersion: parent.model_version, endpoint: parent.policy_endpoint, env: {}, now, derivedFrom: { round: parent.round, derivation: scorer.derivation, configHash: parent.config_hash } }));
  if (opened.round !== round) throw new RoundStateError(`expected to open round ${round}, opened ${opened.round} (another round was opened meanwhile?)`);
  const meta = (id: string, parents: string[]) => recordMeta({ id, round, producer, parents, now });
  const originals = groups.flat().map((t) => {
    const o = originalScore(t);
    return scoreRecord(meta, t, o.scorer, o.version, o.result);
  });
  await sendRecords(ctx, 'fw.scores', 'fw.Score', [...originals, ...outputs.scores].map((s) => ({ key: s.trajectory_id, value: s })));
  await sendRecords(ctx, 'fw.rl.groups', 'fw.RlGroup', outputs.groups.map((g) => ({ key: g.question_id, value: g })));
  await sendRecords(ctx, 'fw.sft.trajectories', 'fw.Trajectory', outputs.sft.map((t) => ({ key: t.question_id, value: t })));
  await sendRecords(ctx, 'fw.trajectories.discarded', 'fw.Trajectory', outputs.discarded.map((t) => ({ key: t.question_id, value: t })));
  const derived = await closeRound(ctx, { now });
  return { parent, derived, existing: false, outputs, diff };
}

async function judgeAll(judge: { judge(input: { question: string; reference: string; prediction: string }): Promise<JudgeResult> }, trajectories: Trajectory[], concurrency: number): Promise<Map<string, JudgeResult>> {
  const limit = pLimit(concurrency);
  const results = await Promise.all(trajectories.map((t) => limit(async () => [t.id, await judge.judge({ question: t.question, reference: t.reference_answer, prediction: t.prediction })] as const)));
  return new Map(results);
}
