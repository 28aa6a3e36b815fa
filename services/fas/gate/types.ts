import type { Cluster } from '../../platform/generated/records.ts';
import type { QuestionDraft } from '../draft.ts';

/** Stable reason codes of the question gate (the `reason` of the fw.drops record). */
export type GateReason =
  | 'question:malformed'
  | 'question:placeholder'
  | 'question:entity-cut'
  | 'question:blurred-answer-clause'
  | 'question:wrong-question-word'
  | 'question:vague'
  | 'question:answer-leaked'
  | 'question:unsupported-answer'
  | 'question:hop-given-away'
  | 'question:near-duplicate';

export interface Rejection {
  reason: GateReason;
  detail: string;
}

export interface GateInput {
  draft: QuestionDraft;
  cluster: Cluster;
}

/** One check: the detail of why the question fails it, or undefined when it passes. */
export type Check = (input: GateInput) => string | undefined;
