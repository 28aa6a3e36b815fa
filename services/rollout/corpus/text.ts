/** Small text helpers shared by the corpus, the tools and the scripted policy. */

export const STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its
  of on or she so than that the their them then there these they this to was were what when where which who whom whose
  why will with would you your also both either neither between same more most less least which's did does any other`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lower-cased content words of a text (letters and digits, no stopwords). */
export function queryTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !STOPWORDS.has(t));
}

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
