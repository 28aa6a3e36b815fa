import type { Sibling, Step } from '../queries/records.ts';

export interface AlignedRow {
  index: number;
  left?: string;
  right?: string;
  same: boolean;
  /** Both steps call the same tool (or both answer), with other arguments. */
  sameTool: boolean;
}

/** A step as it shows in the alignment: the tool call with its arguments, or the answer. */
export function stepAction(step: Step): string {
  if (step.tool_call_name) return `${step.tool_call_name}(${compactJson(step.tool_call_arguments_json ?? '')})`;
  if (step.answer != null) return `answer: ${step.answer}`;
  return '(no action)';
}

function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * Two rollouts side by side on their tool-call sequence, step by step: `parts` is the first step whose call
 * differs (tool or arguments), `toolsPart` the first where the tool itself differs (null: never).
 */
export function alignRollouts(left: Sibling, right: Sibling): { rows: AlignedRow[]; parts: number | null; toolsPart: number | null } {
  const a = left.steps.map(stepAction);
  const b = right.steps.map(stepAction);
  const rows: AlignedRow[] = [];
  let parts: number | null = null;
  let toolsPart: number | null = null;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const same = a[i] !== undefined && a[i] === b[i];
    const sameTool = !!left.steps[i] && !!right.steps[i] && toolOf(left.steps[i]) === toolOf(right.steps[i]);
    if (!same && parts === null) parts = i;
    if (!sameTool && toolsPart === null) toolsPart = i;
    rows.push({ index: i, left: a[i], right: b[i], same, sameTool });
  }
  return { rows, parts, toolsPart };
}

function toolOf(step: Step): string {
  return step.tool_call_name ?? (step.answer != null ? 'answer' : '');
}

/** The pair to compare: this rollout and the best of the other verdict (accepted first). */
export function pickPair(current: string, siblings: Sibling[]): [Sibling, Sibling] | null {
  const self = siblings.find((s) => s.id === current);
  const accepted = siblings.filter((s) => s.correct).sort((x, y) => y.reward - x.reward);
  const rejected = siblings.filter((s) => !s.correct).sort((x, y) => y.reward - x.reward);
  if (!accepted.length || !rejected.length) return null;
  const good = self?.correct ? self : accepted[0];
  const bad = self && !self.correct ? self : rejected[0];
  return [good, bad];
}
