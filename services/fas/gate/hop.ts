import { containsWords, distinctiveTokens } from './text.ts';
import type { Check } from './types.ts';

/** question:hop-given-away — an entity the question hides (the bridge of a hop, a described entity) is named in it. */
export const hopGivenAway: Check = ({ draft }) => {
  for (const name of draft.hidden ?? []) {
    if (containsWords(draft.question, name)) return `the hidden entity "${name}" is named in the question`;
    const token = distinctiveTokens(name).find((t) => containsWords(draft.question, t));
    if (token) return `"${token}" names the hidden entity "${name}"`;
  }
  return undefined;
};
