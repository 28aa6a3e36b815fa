import type { Drop, Question, Trajectory } from '../platform/generated/records.ts';
import { table } from './format.ts';
import type { AnalyticsQuerier } from './querier.ts';

/**
 * The quality section of a round: questions made, published, dropped (by reason), answerable / too easy /
 * unanswerable per style and strategy, and the process check of the correct rollouts. `flywheel report` loads
 * it from the ClickHouse views (040_quality.sql); the demo, which runs without the analytics sink, computes the
 * same figures from the round's records.
 */
export interface QualityRow {
  style: string;
  strategy: string;
  published: number;
  rolled_out: number;
  answerable: number;
  too_easy: number;
  unanswerable: number;
  with_sft: number;
}

export interface QualityReport {
  round: number;
  rows: QualityRow[];
  drops: Array<{ stage: string; reason: string; questions: number }>;
  checks: Array<{ label: string; correct_rollouts: number; kept_for_sft: number }>;
}

const QUESTION_SUBJECT = /^(question|q)_/;

export async function loadQualityReport(querier: AnalyticsQuerier, round: number): Promise<QualityReport> {
  const db = querier.database;
  const params = { round };
  const [rows, drops, checks] = await Promise.all([
    querier.query(`SELECT style, strategy, published, rolled_out, answerable, too_easy, unanswerable, with_sft FROM ${db}.question_quality WHERE round = {round:Int32}`, params),
    querier.query(`SELECT stage, reason, questions FROM ${db}.question_drops WHERE round = {round:Int32}`, params),
    querier.query(`SELECT label, sum(correct_rollouts) AS correct_rollouts, sum(kept_for_sft) AS kept_for_sft FROM ${db}.sft_process_checks WHERE round = {round:Int32} GROUP BY label ORDER BY correct_rollouts DESC, label`, params),
  ]);
  const num = (v: unknown) => Number(v ?? 0);
  return {
    round,
    rows: rows.rows.map((r) => ({
      style: String(r.style), strategy: String(r.strategy), published: num(r.published), rolled_out: num(r.rolled_out), answerable: num(r.answerable),
      too_easy: num(r.too_easy), unanswerable: num(r.unanswerable), with_sft: num(r.with_sft),
    })),
    drops: drops.rows.map((r) => ({ stage: String(r.stage), reason: String(r.reason), questions: num(r.questions) })),
    checks: checks.rows.map((r) => ({ label: String(r.label), correct_rollouts: num(r.correct_rollouts), kept_for_sft: num(r.kept_for_sft) })),
  };
}

/** The same report from a round's records (fw.fas.questions, fw.drops, fw.rollout.trajectories, fw.sft.trajectories). */
export function qualityFromRecords(round: number, input: { questions: Question[]; drops: Drop[]; rollouts: Trajectory[]; sft: Trajectory[] }): QualityReport {
  const outcomes = new Map<string, { rollouts: number; correct: number }>();
  for (const t of input.rollouts) {
    const o = outcomes.get(t.question_id) ?? { rollouts: 0, correct: 0 };
    o.rollouts++;
    if (t.judge.correct) o.correct++;
    outcomes.set(t.question_id, o);
  }
  const withSft = new Set(input.sft.map((t) => t.question_id));
  const rows = new Map<string, QualityRow>();
  for (const q of new Map(input.questions.map((x) => [x.id, x])).values()) {
    const key = `${q.style}\u0000${q.strategy}`;
    const row = rows.get(key) ?? { style: q.style, strategy: q.strategy, published: 0, rolled_out: 0, answerable: 0, too_easy: 0, unanswerable: 0, with_sft: 0 };
    const o = outcomes.get(q.id);
    row.published++;
    if (o) {
      row.rolled_out++;
      if (o.correct > 0) row.answerable++;
      if (o.correct === o.rollouts) row.too_easy++;
      if (o.correct === 0) row.unanswerable++;
    }
    if (withSft.has(q.id)) row.with_sft++;
    rows.set(key, row);
  }
  const drops = new Map<string, { stage: string; reason: string; subjects: Set<string> }>();
  for (const d of input.drops.filter((x) => QUESTION_SUBJECT.test(x.subject_id))) {
    const key = `${d.stage}\u0000${d.reason}`;
    const entry = drops.get(key) ?? { stage: d.stage, reason: d.reason, subjects: new Set<string>() };
    entry.subjects.add(d.subject_id);
    drops.set(key, entry);
  }
  const checks = new Map<string, { label: string; correct_rollouts: number; kept_for_sft: number }>();
  for (const t of input.rollouts.filter((x) => x.judge.correct)) {
    const label = t.quality_label || 'unchecked';
    const entry = checks.get(label) ?? { label, correct_rollouts: 0, kept_for_sft: 0 };
    entry.correct_rollouts++;
    if (t.disposition === 'sft') entry.kept_for_sft++;
    checks.set(label, entry);
  }
  return {
    round,
    rows: [...rows.values()].sort((a, b) => a.style.localeCompare(b.style) || a.strategy.localeCompare(b.strategy)),
    drops: [...drops.values()].map((d) => ({ stage: d.stage, reason: d.reason, questions: d.subjects.size })).sort((a, b) => b.questions - a.questions || a.stage.localeCompare(b.stage) || a.reason.localeCompare(b.reason)),
    checks: [...checks.values()].sort((a, b) => b.correct_rollouts - a.correct_rollouts || a.label.localeCompare(b.label)),
  };
}

function pct(n: number, d: number): string {
  return d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a';
}

export function renderQualityReport(q: QualityReport): string {
  if (q.rows.length === 0 && q.drops.length === 0 && q.checks.length === 0) return `round ${q.round} — data quality: no questions recorded`;
  const sum = (f: keyof Omit<QualityRow, 'style' | 'strategy'>) => q.rows.reduce((s, r) => s + r[f], 0);
  const published = sum('published');
  const rolledOut = sum('rolled_out');
  const gateDrops = q.drops.filter((d) => d.stage !== 'rollout').reduce((s, d) => s + d.questions, 0);
  const correct = q.checks.reduce((s, c) => s + c.correct_rollouts, 0);
  const grounded = q.checks.find((c) => c.label === 'grounded')?.correct_rollouts ?? 0;
  const lines = [
    `round ${q.round} — data quality`,
    `questions made ${published + gateDrops}: dropped before rollout ${gateDrops}, published ${published}, rolled out ${rolledOut}; ` +
      `answerable ${sum('answerable')} (${pct(sum('answerable'), rolledOut)}), of which too easy for RL ${sum('too_easy')} (${pct(sum('too_easy'), rolledOut)}), ` +
      `unanswerable ${sum('unanswerable')} (${pct(sum('unanswerable'), rolledOut)}); with an SFT trajectory ${sum('with_sft')}`,
    `correct rollouts ${correct}: grounded ${grounded} (${pct(grounded, correct)}), the rest are not SFT samples`,
    '',
    table(
      ['style', 'strategy', 'published', 'rolled out', 'answerable', 'too easy', 'unanswerable', 'with SFT', 'answerable %', 'too easy %'],
      q.rows.map((r) => [r.style, r.strategy, ...[r.published, r.rolled_out, r.answerable, r.too_easy, r.unanswerable, r.with_sft].map(String), pct(r.answerable, r.rolled_out), pct(r.too_easy, r.rolled_out)]),
      [false, false, true, true, true, true, true, true, true, true],
    ),
  ];
  if (q.drops.length) lines.push('', 'questions dropped, by reason', table(['stage', 'reason', 'questions'], q.drops.map((d) => [d.stage, d.reason, String(d.questions)]), [false, false, true]));
  if (q.checks.length) lines.push('', 'process check of correct rollouts (SFT keeps only grounded ones)', table(['label', 'correct rollouts', 'kept for SFT'], q.checks.map((c) => [c.label, String(c.correct_rollouts), String(c.kept_for_sft)]), [false, true, true]));
  return lines.join('\n');
}
