import type { Trajectory } from '../platform/generated/records.ts';
import { toolCallTag, toolResponseTag } from '../export/render.ts';
import type { Candidate } from './candidates.ts';
import type { StepJudgement } from './judge-step.ts';

/**
 * The text of a higher-order action: one step of a trajectory as a multiple-choice decision — the options
 * (think + call, in the agent's tag format), "I will choose option k", the real tool response, then the
 * judgement of that choice. Options are numbered from 1.
 */
export interface Decision {
  stepIndex: number;
  options: Candidate[];
  /** 0-based position of the real action among `options` */
  chosen: number;
  response: string;
  judgement: StepJudgement;
}

export function optionText(c: Candidate): string {
  return `<think>\n${c.thought}\n</think>\n${toolCallTag(c.name, JSON.stringify(c.arguments))}`;
}

export function decisionBlock(d: Decision, maxResponseChars: number): string {
  const options = d.options.map((c, i) => `Option ${i + 1}:\n${optionText(c)}`);
  return [
    `Step ${d.stepIndex + 1}. I can take one of ${d.options.length} actions.`,
    ...options,
    `I will choose option ${d.chosen + 1}.`,
    toolResponseTag(truncate(d.response, maxResponseChars)),
    `Looking at the result, my judgement is ${d.judgement.correct ? 'correct' : 'incorrect'}: ${d.judgement.reason}.`,
  ].join('\n');
}

/** A short account of the steps before `stepIndex`, so a single decision reads on its own. */
export function historyText(t: Trajectory, stepIndex: number): string {
  const earlier = t.steps.filter((s) => s.index < stepIndex && s.tool_call);
  if (earlier.length === 0) return 'No actions taken yet.';
  return ['Actions so far:', ...earlier.map((s) => `- step ${s.index + 1}: ${s.tool_call!.name} ${s.tool_call!.arguments_json}`)].join('\n');
}

/** The fw.has.samples text: question, history, then one decision. */
export function stepSampleText(t: Trajectory, d: Decision, maxResponseChars: number): string {
  return [`Question: ${t.question}`, historyText(t, d.stepIndex), decisionBlock(d, maxResponseChars)].join('\n\n');
}

/** The CPT text: the whole trajectory as a chain of decisions, ending with its final answer if it had one. */
export function trajectoryDecisionText(t: Trajectory, decisions: Decision[], maxResponseChars: number): string {
  const parts = [`Question: ${t.question}`, ...decisions.map((d) => decisionBlock(d, maxResponseChars))];
  const final = t.steps.find((s) => s.answer !== null && !s.tool_call);
  if (final) parts.push(`<think>\n${final.thought.trim()}\n</think>\n<answer>${final.answer}</answer>`);
  return parts.join('\n\n');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max).trimEnd()}\n[… ${text.length - max} more characters]`;
}
