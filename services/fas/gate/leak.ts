import { escapeRegExp } from '../draft.ts';
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
  // a choice question offers its answer as one of the options ("a left-hand or right-hand batsman?")
  const offered = new RegExp(`\\b(?:or|either)\\s+${escapeRegExp(draft.answer)}|${escapeRegExp(draft.answer)}\\s+or\\b`, 'i').test(q);
  if (answer && containsWords(q, draft.answer) && !offered) return `the answer "${draft.answer}" is in the question`;
  const token = distinctiveTokens(draft.answer).find((t) => containsWords(q, t));
  return token ? `"${token}" of the answer "${draft.answer}" is in the question` : undefined;
};
