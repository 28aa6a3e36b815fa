import type { RlGroup } from '../../platform/generated/records.ts';
import { formatTable } from '../summary.ts';
import type { Rescored } from './compute.ts';
import { kendallTauB } from './kendall.ts';

export interface RescoreDiff {
  trajectories: number;
  groups: number;
  /** Groups left out of fw.rl.groups under the new verdicts: no rollout correct, or (by default) every one. */
  unanswerable: number;
  tooEasy: number;
  /** Judge verdicts: incorrect → correct and correct → incorrect. */
  flippedToCorrect: number;
  flippedToIncorrect: number;
  /** Rank agreement of the old and new rewards over the trajectories (tau-b; NaN when one side is constant). */
  kendallTau: number;
  rewardsChanged: number;
  advantagesChanged: number;
  /** Trajectory ids newly kept for SFT / no longer kept. */
  sftGained: string[];
  sftLost: string[];
}

const EPS = 1e-9;

/** Old vs new, per trajectory: verdicts, reward ranks, advantages (from the parent round's RL groups), SFT picks. */
export function rescoreDiff(rescored: Rescored[], oldGroups: RlGroup[], newGroups: RlGroup[], leftOut: { unanswerable: string[]; tooEasy: string[] }): RescoreDiff {
  const oldAdvantage = advantagesById(oldGroups);
  const newAdvantage = advantagesById(newGroups);
  const wasSft = (r: Rescored) => r.trajectory.disposition === 'sft';
  return {
    trajectories: rescored.length,
    groups: newGroups.length,
    unanswerable: leftOut.unanswerable.length,
    tooEasy: leftOut.tooEasy.length,
    flippedToCorrect: rescored.filter((r) => !r.trajectory.judge.correct && r.judged.judgement.correct).length,
    flippedToIncorrect: rescored.filter((r) => r.trajectory.judge.correct && !r.judged.judgement.correct).length,
    kendallTau: kendallTauB(rescored.map((r) => r.trajectory.reward), rescored.map((r) => r.judged.reward)),
    rewardsChanged: rescored.filter((r) => Math.abs(r.trajectory.reward - r.judged.reward) > EPS).length,
    advantagesChanged: rescored.filter((r) => Math.abs((oldAdvantage.get(r.trajectory.id) ?? 0) - (newAdvantage.get(r.trajectory.id) ?? 0)) > EPS).length,
    sftGained: rescored.filter((r) => r.disposition === 'sft' && !wasSft(r)).map((r) => r.trajectory.id),
    sftLost: rescored.filter((r) => r.disposition !== 'sft' && wasSft(r)).map((r) => r.trajectory.id),
  };
}

function advantagesById(groups: RlGroup[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups) g.trajectory_ids.forEach((id, i) => out.set(id, g.advantages[i]));
  return out;
}

export function renderDiff(diff: RescoreDiff): string {
  return formatTable([
    { measure: 'trajectories (re-judged, no rollout)', value: diff.trajectories },
    { measure: 'RL groups', value: diff.groups },
    { measure: 'groups left out: no rollout correct', value: diff.unanswerable },
    { measure: 'groups left out: every rollout correct', value: diff.tooEasy },
    { measure: 'verdicts flipped incorrect → correct', value: diff.flippedToCorrect },
    { measure: 'verdicts flipped correct → incorrect', value: diff.flippedToIncorrect },
    { measure: "Kendall's tau (old vs new reward)", value: Number.isNaN(diff.kendallTau) ? 'n/a (constant)' : diff.kendallTau.toFixed(3) },
    { measure: 'rewards changed', value: diff.rewardsChanged },
    { measure: 'advantages changed', value: diff.advantagesChanged },
    { measure: 'SFT selections gained', value: diff.sftGained.length },
    { measure: 'SFT selections lost', value: diff.sftLost.length },
  ]);
}
