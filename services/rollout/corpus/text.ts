/** Small text helpers shared by the corpus, the tools and the scripted policy. */

export { queryTerms, STOPWORDS } from '../../lib/text.ts';

/**
 * Sentence split that survives initials ("E. V. Cunningham") and common abbreviations ("Bill Martin Jr. Award")
 * well enough for extraction; " … " (how search snippets join sentences) also ends a sentence.
 */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<!\b(?:[A-Z]|Jr|Sr|Dr|Mr|Mrs|Ms|St|Mt|Ft|No|vs|Inc|Co|Ltd)\.)(?<=[.!?])\s+(?=[A-Z0-9"“(])|\s+…\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Rough token count (about four characters per token for English), used for budgets. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… [truncated ${text.length - maxChars} chars]`;
}
