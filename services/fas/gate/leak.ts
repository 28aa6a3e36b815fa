import { containsWords, distinctiveTokens, norm } from './text.ts';
import type { Check } from './types.ts';

/**
 * question:answer-leaked — the answer, or a word that names it on its own (a surname), appears in the question.
 * Comparisons name their candidates on purpose, and a merge clue lists two candidates on purpose.
 */
export const answerLeaked: Check = ({ draft }) => {
  if (draft.style === 'synthesis') return undefined;
  const answer = norm(draft.answer);
  const q = draft.question.replace(/\(X is whichever of [^)]*\)/, '');
  if (answer && containsWords(q, draft.answer)) return `the answer "${draft.answer}" is in the question`;
  const token = distinctiveTokens(draft.answer).find((t) => containsWords(q, t));
  return token ? `"${token}" of the answer "${draft.answer}" is in the question` : undefined;
};
