import type { Cluster } from '../platform/generated/records.ts';
import { contentId } from '../platform/records.ts';
import type { QuestionDraft, QuestionStrategy } from './draft.ts';
import type { QuestionGate, Rejection } from './gate/index.ts';
import { obfuscate } from './obfuscate.ts';

export interface Candidate {
  id: string;
  draft: QuestionDraft;
  /** Why the gate dropped it; undefined for a kept question. */
  rejection?: Rejection;
}

/**
 * One cluster's questions: the strategy proposes, template questions are obfuscated, and every question goes
 * through the gate (kept ones join its near-duplicate index). Pure apart from the gate's index, so the stage
 * and offline previews share it.
 */
export async function synthesize(
  cluster: Cluster,
  options: { strategy: QuestionStrategy; gate: QuestionGate; random: () => number; obfuscation: number; position: string; signal?: AbortSignal },
): Promise<Candidate[]> {
  const drafts = await options.strategy.propose(cluster, options.random, options.signal);
  return drafts.map((raw) => {
    const draft = options.strategy.name === 'template' ? obfuscate(raw, cluster, options.random, options.obfuscation) : raw;
    const id = contentId('question', draft.style, draft.question, draft.answer);
    return { id, draft, rejection: options.gate.check(draft, cluster, id, `${options.position}#${id}`) };
  });
}
