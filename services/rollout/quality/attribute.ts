import { queryTerms, splitSentences } from '../corpus/text.ts';

/**
 * What a question asks about, as words: its content words minus the names it mentions and the words that only
 * say what kind of answer is wanted ("what year", "how many"). A span supports an answer only when it speaks
 * of this attribute: "born August 10" says nothing about Grand Slam titles.
 */

const ANSWER_TYPE_WORDS = new Set(
  `what which who whom whose when where how many much year years date day month number name named called one two
  first last whom did does do was were has have had is are be been being the a an of in on at by for to yes no
  true false person people thing something someone`.split(/\s+/).filter(Boolean),
);

const OPENING = /^\s*(?:who|whom|whose|what|which|when|where|why|how|in|on|at|of|for|from|by|to|during|is|are|was|were|do|does|did|has|have|had|can|could|will|would|the|a|an|name)\b\s*/i;

/** Capitalised multi-word names in the question (a capitalised opening question word is not one), e.g. "Lisa Raymond", "Grand Slam". */
export function questionNames(question: string): string[] {
  const body = question.replace(OPENING, ' ');
  const names = body.match(/\b[A-Z][\p{L}'’.-]*(?:\s+(?:(?:of|the|de|la|von|van|der|du|del|da|and|&)\s+)*[A-Z0-9][\p{L}0-9'’.-]*)*/gu) ?? [];
  return [...new Set(names.map((n) => n.trim()))];
}

/** An open question about exactly two named entities ("What nationality were A and B?"): its answer holds for both. */
export function askedPair(question: string): [string, string] | undefined {
  if (!/^\s*(what|which|who)\b/i.test(question)) return undefined;
  const named: string[] = [];
  for (const name of new Set(questionNames(question).flatMap((n) => n.split(/\s+(?:and|&)\s+/)))) {
    // "A Christmas Story: The Musical" is one title
    const last = named[named.length - 1];
    if (last !== undefined && question.includes(`${last}: ${name}`)) named[named.length - 1] = `${last}: ${name}`;
    else named.push(name);
  }
  if (named.length !== 2) return undefined;
  // the two joined by "and" ("Plan 9 from Outer Space" is one name, not two)
  const [a, b] = named.map((n) => question.indexOf(n));
  return a >= 0 && b > a && /\sand\s/.test(question.slice(a + named[0].length, b)) ? [named[0], named[1]] : undefined;
}

/** Five-letter prefix: "promo" ~ "promote", "govern" ~ "government", good enough for English inflections. */
export function stem(term: string): string {
  return term.length <= 5 ? term : term.slice(0, 5);
}

/** `names`: also leave out every name the question mentions (for open questions; a choice keeps "Grand Slam"). */
export function attributeTerms(question: string, exclude: string[] = [], options: { names?: boolean } = {}): string[] {
  const excluded = new Set([...(options.names === false ? [] : questionNames(question)), ...exclude].flatMap((n) => queryTerms(n)));
  const terms = queryTerms(question).filter((t) => !excluded.has(t) && !ANSWER_TYPE_WORDS.has(t) && !/^\d+$/.test(t));
  return [...new Set(terms)];
}

/** How many of the attribute's words (by stem) the text contains. */
export function attributeOverlap(text: string, attribute: string[]): number {
  const stems = new Set(queryTerms(text).map(stem));
  return attribute.filter((t) => stems.has(stem(t))).length;
}

/** Lower case, punctuation and thousands separators out, single spaces: for "does this text contain that answer". */
export function normalizeForMatch(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/** A sentence speaks of the attribute when it shares two of its words (one, when the attribute is one word). */
export function speaksOf(text: string, attribute: string[]): boolean {
  return attributeOverlap(text, attribute) >= Math.min(2, attribute.length);
}

export function containsPhrase(text: string, phrase: string): boolean {
  const p = normalizeForMatch(phrase);
  return p.trim() !== '' && normalizeForMatch(text).includes(p);
}

/**
 * A page titled `title` is about `name`: two thirds of the name's words are in the title and half of the title's
 * (disambiguation in parentheses aside) are in the name — "Catan Dice Game" is not a page about "Catan".
 */
export function titleIsAbout(title: string, name: string): boolean {
  const titleTerms = queryTerms(title.replace(/\s*\([^)]*\)\s*$/, ''));
  const nameTerms = queryTerms(name);
  if (titleTerms.length === 0 || nameTerms.length === 0) return false;
  const t = new Set(titleTerms);
  const n = new Set(nameTerms);
  return nameTerms.filter((x) => t.has(x)).length / nameTerms.length >= 0.66 && titleTerms.filter((x) => n.has(x)).length / titleTerms.length >= 0.5;
}

/**
 * How many sentences make a page's opening: the first, joined with the next while it is a fragment ("Edward
 * Davis Wood Jr." splits before "(October 10, 1924 – …)"). The opening states its subject's defining dates.
 */
export function leadLength(sentences: string[]): number {
  let n = 0;
  let chars = 0;
  while (n < sentences.length && chars < 60) chars += sentences[n++].length;
  return Math.max(1, n);
}

/** The question asks for the end of something (a death, a dissolution), not its start. */
export function asksForEnd(attribute: string[]): boolean {
  return attribute.some((t) => /^(die|died|dies|death|dead|end|ended|ends|closed|dissolved|disbanded|defunct|demolished)$/.test(t));
}

/**
 * The year a page's opening gives for its subject's start or end: "(May 7, 1890 – February 20, 1959)" starts in
 * 1890 and ends in 1959; without a range the first year is the start and there is no end.
 */
export function leadYear(lead: string, end: boolean): number | undefined {
  const year = /\b(1\d{3}|20\d{2})\b/;
  const first = year.exec(lead);
  if (!first) return undefined;
  // a range: the first year, a dash (before any closing parenthesis), then the end year
  const rest = lead.slice(first.index + 4);
  const dash = /^[^()]*?[–—-]/.exec(rest);
  const last = dash ? year.exec(rest.slice(dash[0].length)) : null;
  const ranged = last !== null && !rest.slice(dash![0].length, dash![0].length + last.index).includes(')');
  if (end) return ranged ? Number(last![1]) : undefined;
  return Number(first[1]);
}

export function leadText(text: string): string {
  const sentences = splitSentences(text);
  return sentences.slice(0, leadLength(sentences)).join(' ');
}
