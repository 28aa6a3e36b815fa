import type { Trajectory } from '../../platform/generated/records.ts';
import type { QaItem } from './qa-file.ts';

export interface QuestionResult {
  id: string;
  question: string;
  type: string;
  answer: string;
  /** Rollout 0's prediction (the Pass@1 answer). */
  prediction: string;
  predictions: string[];
  /** Means over the question's rollouts (Avg@G). */
  em: number;
  f1: number;
  /** Any rollout judged correct (Pass@G). */
  pass: boolean;
  terminations: string[];
  tool_calls: number;
  trajectory_ids: string[];
}

export interface Scores {
  questions: number;
  em: number;
  f1: number;
  pass_at_g: number;
}

export interface EvalSummary {
  g: number;
  overall: Scores;
  by_type: Record<string, Scores>;
  terminations: Record<string, number>;
  tool_calls: Record<string, number>;
  tool_calls_per_rollout: number;
  missing: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/** Joins the trajectories back to the questions (by question id) and scores them. */
export function questionResults(items: QaItem[], questionIds: string[], trajectories: Trajectory[]): QuestionResult[] {
  const byQuestion = new Map<string, Trajectory[]>();
  for (const t of trajectories) {
    const list = byQuestion.get(t.question_id) ?? [];
    if (!list.some((x) => x.id === t.id)) list.push(t);
    byQuestion.set(t.question_id, list);
  }
  return items.map((item, i) => {
    const runs = (byQuestion.get(questionIds[i]) ?? []).sort((a, b) => a.rollout_index - b.rollout_index);
    return {
      id: item.id,
      question: item.question,
      type: item.type,
      answer: item.answer,
      prediction: runs[0]?.prediction ?? '',
      predictions: runs.map((r) => r.prediction),
      em: mean(runs.map((r) => r.judge.em)),
      f1: mean(runs.map((r) => r.judge.f1)),
      pass: runs.some((r) => r.judge.correct),
      terminations: runs.map((r) => r.termination),
      tool_calls: runs.reduce((s, r) => s + r.tool_call_count, 0),
      trajectory_ids: runs.map((r) => r.id),
    };
  });
}

function scores(results: QuestionResult[]): Scores {
  return { questions: results.length, em: mean(results.map((r) => r.em)), f1: mean(results.map((r) => r.f1)), pass_at_g: mean(results.map((r) => (r.pass ? 1 : 0))) };
}

export function summarise(results: QuestionResult[], g: number, toolCalls: Record<string, number>): EvalSummary {
  const types = [...new Set(results.map((r) => r.type))].sort();
  const terminations: Record<string, number> = {};
  for (const r of results) for (const t of r.terminations) terminations[t] = (terminations[t] ?? 0) + 1;
  const rollouts = results.reduce((s, r) => s + r.terminations.length, 0);
  return {
    g,
    overall: scores(results),
    by_type: Object.fromEntries(types.map((t) => [t, scores(results.filter((r) => r.type === t))])),
    terminations,
    tool_calls: toolCalls,
    tool_calls_per_rollout: rollouts ? Object.values(toolCalls).reduce((s, n) => s + n, 0) / rollouts : 0,
    missing: results.filter((r) => r.terminations.length === 0).length,
  };
}

export function renderSummary(summary: EvalSummary): string {
  const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
  const row = (name: string, s: Scores) => `${name.padEnd(14)} ${String(s.questions).padStart(5)} ${pct(s.em)} ${pct(s.f1)} ${pct(s.pass_at_g)}`;
  const lines = [
    `${'type'.padEnd(14)} ${'n'.padStart(5)} ${'EM%'.padStart(6)} ${'F1%'.padStart(6)} ${`Pass@${summary.g}`.padStart(6)}`,
    ...Object.entries(summary.by_type).map(([t, s]) => row(t, s)),
    row('overall', summary.overall),
    '',
    `terminations: ${Object.entries(summary.terminations).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`,
    `tool calls: ${Object.entries(summary.tool_calls).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'} (${summary.tool_calls_per_rollout.toFixed(2)} per rollout)`,
  ];
  if (summary.missing) lines.push(`questions without a trajectory: ${summary.missing}`);
  return lines.join('\n');
}
