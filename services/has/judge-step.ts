import type { Trajectory } from '../platform/generated/records.ts';

/**
 * "My judgement is correct / incorrect": whether a step led toward the answer. A step is judged correct when
 * its tool response surfaced the reference answer (so a failed trajectory can still hold good steps), or when
 * the trajectory ended with a correct answer and the step came no later than the first step that surfaced
 * it (the steps after that added nothing). Answers too short to recognise in text (yes/no, one or two
 * characters) fall back to the trajectory's outcome.
 */
export interface StepJudgement {
  correct: boolean;
  reason: string;
}

export function judgeSteps(t: Trajectory): Map<number, StepJudgement> {
  const checkable = isRecognisable(t.reference_answer);
  const surfaced = new Map(t.steps.map((s) => [s.index, checkable && !!s.tool_call && answerSurfaced(s.tool_response, t.reference_answer)]));
  const first = t.steps.find((s) => surfaced.get(s.index))?.index;
  const judgements = new Map<number, StepJudgement>();
  for (const step of t.steps) {
    if (!step.tool_call) continue;
    if (surfaced.get(step.index)) {
      judgements.set(step.index, { correct: true, reason: 'the response contains the evidence for the answer' });
    } else if (t.judge.correct && (first === undefined || step.index < first)) {
      judgements.set(step.index, { correct: true, reason: 'this step was on the path to the correct final answer' });
    } else if (t.judge.correct) {
      judgements.set(step.index, { correct: false, reason: 'the evidence had already been found, so this step added nothing' });
    } else {
      judgements.set(step.index, { correct: false, reason: 'the response did not bring me closer to the answer' });
    }
  }
  return judgements;
}

/** SQuAD-style normalisation: lower case, no punctuation or articles, single spaces. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function isRecognisable(answer: string): boolean {
  const n = normalise(answer);
  return n.length > 2 && n !== 'yes' && n !== 'no';
}

/** The whole normalised answer occurs in the text, or (for long answers) 80% of its words do. */
export function answerSurfaced(text: string, answer: string): boolean {
  const haystack = ` ${normalise(text)} `;
  const needle = normalise(answer);
  if (!needle) return false;
  if (haystack.includes(` ${needle} `)) return true;
  const words = needle.split(' ');
  if (words.length < 3) return false;
  const present = words.filter((w) => haystack.includes(` ${w} `)).length;
  return present / words.length >= 0.8;
}
