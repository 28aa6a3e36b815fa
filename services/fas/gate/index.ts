import type { Cluster } from '../../platform/generated/records.ts';
import { QuestionIndex } from '../dedup.ts';
import type { QuestionDraft } from '../draft.ts';
import { blurredAnswerClause } from './blurred.ts';
import { entityCut } from './entity-cut.ts';
import { hopGivenAway } from './hop.ts';
import { answerLeaked } from './leak.ts';
import { questionWord } from './question-word.ts';
import { malformed, placeholder, vague } from './shape.ts';
import { unsupportedAnswer } from './support.ts';
import type { Check, GateReason, Rejection } from './types.ts';

export type { GateReason, Rejection } from './types.ts';

/** The checks in the order they run: the first failure is the drop reason. */
export const CHECKS: ReadonlyArray<[GateReason, Check]> = [
  ['question:malformed', malformed],
  ['question:entity-cut', entityCut],
  ['question:blurred-answer-clause', blurredAnswerClause],
  ['question:wrong-question-word', questionWord],
  ['question:placeholder', placeholder],
  ['question:vague', vague],
  ['question:answer-leaked', answerLeaked],
  ['question:hop-given-away', hopGivenAway],
  ['question:unsupported-answer', unsupportedAnswer],
];

/** The content checks of one question, without the near-duplicate state. */
export function inspect(draft: QuestionDraft, cluster: Cluster): Rejection | undefined {
  for (const [reason, check] of CHECKS) {
    const detail = check({ draft, cluster });
    if (detail) return { reason, detail };
  }
  return undefined;
}

/**
 * The question gate in front of fw.fas.questions: content checks, then near-duplicates of questions kept
 * earlier (the index is reloaded from fw.fas.questions at start-up). Strategy-agnostic: template and LLM
 * questions pass the same gate.
 */
export class QuestionGate {
  constructor(readonly index: QuestionIndex) {}

  check(draft: QuestionDraft, cluster: Cluster, id: string, position: string): Rejection | undefined {
    const rejection = inspect(draft, cluster);
    if (rejection) return rejection;
    const duplicate = this.index.duplicateOf(draft.question, position);
    if (duplicate) return { reason: 'question:near-duplicate', detail: `${duplicate.kind} duplicate of ${duplicate.of.id}` };
    this.index.add(id, draft.question, position);
    return undefined;
  }
}
