import type { Trajectory } from '../platform/generated/records.ts';
import type { RunningStage } from '../platform/runtime/runner.ts';

export interface StageCounts {
  in: number;
  out: Record<string, number>;
  dropped: number;
  deadLettered: number;
}

/** What a stage did in this process, from its own metrics. */
export async function stageCounts(running: RunningStage): Promise<StageCounts> {
  const values = async (name: string) => (await running.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const sum = (vs: Array<{ value: number }>) => vs.reduce((s, v) => s + v.value, 0);
  const out: Record<string, number> = {};
  for (const v of await values('flywheel_records_out_total')) {
    const topic = String(v.labels.topic);
    if (topic !== 'fw.drops') out[topic] = (out[topic] ?? 0) + v.value;
  }
  return {
    in: sum(await values('flywheel_records_in_total')),
    out,
    dropped: sum(await values('flywheel_drops_total')),
    deadLettered: sum(await values('flywheel_records_dead_lettered_total')),
  };
}

export interface Accuracy {
  questions: number;
  rollouts: number;
  /** Mean over rollouts (the paper's Avg@G). */
  em: number;
  f1: number;
  /** Rollouts the judge accepted. */
  correct: number;
  /** Questions with at least one accepted rollout (Pass@G). */
  passAtG: number;
}

/** The agent's accuracy on the given questions, from the round's judged rollouts. */
export function accuracy(trajectories: Trajectory[], questionIds?: Set<string>): Accuracy {
  const mine = questionIds ? trajectories.filter((t) => questionIds.has(t.question_id)) : trajectories;
  const unique = [...new Map(mine.map((t) => [t.id, t])).values()];
  const questions = new Set(unique.map((t) => t.question_id));
  const solved = new Set(unique.filter((t) => t.judge.correct).map((t) => t.question_id));
  const n = unique.length || 1;
  return {
    questions: questions.size,
    rollouts: unique.length,
    em: unique.reduce((s, t) => s + t.judge.em, 0) / n,
    f1: unique.reduce((s, t) => s + t.judge.f1, 0) / n,
    correct: unique.filter((t) => t.judge.correct).length,
    passAtG: questions.size ? solved.size / questions.size : 0,
  };
}

/** A plain text table: header row, a rule, then rows; numbers right-aligned. */
export function formatTable(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '(none)';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[], numeric: boolean[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  return [line(columns, numeric.map(() => false)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => cell(r[c])), numeric))].join('\n');
}
