import { queryTerms, splitSentences } from '../corpus/text.ts';
import { askedPair, asksForEnd, attributeTerms, containsPhrase, leadText, leadYear, speaksOf, titleIsAbout } from '../quality/attribute.ts';

/**
 * Answer extraction for the scripted policy: no model, only the question's shape and the pages read.
 * - yes/no questions ("Are both …", "Were X and Y of the same …") → yes/no by comparing the pages;
 * - choice questions ("… X or Y?") → one of the two, by dates/numbers when the question compares them;
 * - wh-questions → the span of the expected type (date, number, name) from the sentences that best match.
 */
export interface PageEvidence {
  title: string;
  text: string;
}

const YES_NO = /^(are|is|was|were|do|does|did|can|could|has|have|had|will|would)\b/i;
export const EARLIER = /\b(older|oldest|earlier|earliest|first|before|prior|longer ago)\b/i;
export const LATER = /\b(younger|youngest|later|latest|more recent|most recent|newer|newest|last|after)\b/i;
export const MORE = /\b(more|most|larger|largest|bigger|biggest|higher|highest|taller|tallest|longer|longest|greater|greatest|many)\b/i;
export const FEWER = /\b(fewer|fewest|less|least|smaller|smallest|lower|lowest|shorter|shortest)\b/i;
export const NATIONALITY = /\b(American|British|English|Scottish|Welsh|Irish|Canadian|Australian|French|German|Italian|Spanish|Mexican|Japanese|Chinese|Indian|Russian|Swedish|Norwegian|Danish|Dutch|Belgian|Swiss|Austrian|Polish|Brazilian|Argentine|Korean|South African|New Zealand|Filipino|Greek|Turkish|Israeli|Egyptian|Nigerian|Finnish|Portuguese|Czech|Hungarian)\b/;
export const MONTH = '(?:January|February|March|April|May|June|July|August|September|October|November|December)';
export const DATE = new RegExp(`\\b(?:\\d{1,2} ${MONTH},? \\d{4}|${MONTH} \\d{1,2},? \\d{4}|${MONTH} \\d{4}|\\d{4})\\b`, 'g');
const NUMBER = /\b\d[\d,.]*(?:\s(?:million|billion|thousand|hundred|percent|km|miles|metres|meters|feet|people|seats|episodes|acres))?\b/g;
const NAME = /\b[A-Z][\p{L}'’.-]*(?:\s+(?:(?:of|the|de|la|le|von|van|der|du|del|da|and|&)\s+)*[A-Z0-9][\p{L}0-9'’.-]*)*/gu;
const LEADING_NOISE = /^(?:The|A|An|In|On|At|He|She|It|They|His|Her|Its|This|That|These|After|Before|During|From|By|As|With|For)\s+/;

/** "… X or Y?" → [X, Y] (the names around the last " or "). */
export function choiceOptions(question: string): [string, string] | undefined {
  const q = question.replace(/\?\s*$/, '');
  // "Among the engineers A and B, who was born first?" / "Of A and B, which …": the same choice, stated first
  const among = /^(?:among|of|between)\s+(.+?)\s+and\s+(.+?),\s*(?:who|which|whom)\b/i.exec(q);
  if (among) {
    if (among[1].includes(',')) return undefined; // three or more to compare: not a choice between two
    const left = among[1].replace(/^(?:[a-z]+\s+)+/, '').replace(/^(?:The|A|An)\s+/, '').trim(); // "the engineers William Connolley"
    const right = among[2].replace(/^(?:the|a|an)\s+/i, '').trim();
    if (left && right && left.split(' ').length <= 8 && right.split(' ').length <= 8) return [left, right];
  }
  const at = q.lastIndexOf(' or ');
  if (at < 0) return undefined;
  const right = q.slice(at + 4).trim();
  const leftPart = q.slice(0, at);
  const comma = leftPart.lastIndexOf(',');
  const colon = leftPart.lastIndexOf(':');
  let left = leftPart.slice(Math.max(comma, colon) + 1).trim();
  if (comma < 0 && colon < 0) {
    const names = leftPart.match(NAME) ?? [];
    left = names[names.length - 1] ?? '';
  }
  const clean = (o: string) => o.replace(/^(?:the|a|an)\s+/i, '').replace(/^["“'‘](.*)["”'’]$/, '$1').trim();
  left = clean(left);
  const rightOption = clean(right);
  if (!left || !rightOption || left.split(' ').length > 8 || rightOption.split(' ').length > 8) return undefined;
  return [left, rightOption];
}

/** The two entities of "Are both X and Y …" / "Were X and Y …". */
export function pairedEntities(question: string): [string, string] | undefined {
  // "Were Scott Derrickson and …": the question word is not part of the first name
  const names = (question.match(NAME) ?? [])
    .flatMap((n) => n.replace(LEADING_NOISE, '').replace(new RegExp(`${YES_NO.source}\\s+`, 'i'), '').split(/\s+(?:and|&)\s+/))
    .filter((n) => !YES_NO.test(n));
  const unique = [...new Set(names)].filter((n) => n.length > 1);
  return unique.length >= 2 ? [unique[0], unique[1]] : undefined;
}

/** The page read about `name` (a page that only mentions it, or is about something bigger, is not). */
export function pageFor(name: string, pages: PageEvidence[]): PageEvidence | undefined {
  const exact = pages.find((p) => p.title.replace(/\s*\([^)]*\)\s*$/, '').toLowerCase() === name.toLowerCase());
  return exact ?? pages.find((p) => titleIsAbout(p.title, name));
}

const YEAR = /\b(1[0-9]{3}|20[0-9]{2})\b/g;
/** A date with its day ("August 10, 1973"): its day is not a count. */
export const FULL_DATE = new RegExp(`\\b(?:\\d{1,2} ${MONTH},? \\d{4}|${MONTH} \\d{1,2},? \\d{4})\\b`, 'g');

/** The year of the asked attribute: from the first sentence that speaks of it, else the page's lead (its subject's dates). */
export function yearFor(page: PageEvidence, attribute: string[]): number | undefined {
  const end = asksForEnd(attribute);
  const sentence = splitSentences(page.text).find((s) => speaksOf(s, attribute) && s.match(YEAR) !== null);
  // the first year given ("(February 3, 1945 – March 3, 1945) … the campaign of 1944-45": 1945, not 1944);
  // who died first is decided by the end of each life, not its start
  if (sentence) return (end ? leadYear(sentence, true) : undefined) ?? Number(sentence.match(YEAR)![0]);
  return leadYear(leadText(page.text), end);
}

/** A count for the asked attribute: a number in a sentence that speaks of it, never a day of a date or a year. */
function quantityFor(page: PageEvidence, attribute: string[]): number | undefined {
  for (const sentence of splitSentences(page.text)) {
    if (!speaksOf(sentence, attribute)) continue;
    const n = /\b(\d[\d,]*(?:\.\d+)?)\b(?!\s*(?:BC|AD))/.exec(sentence.replace(FULL_DATE, ' ').replace(YEAR, ' '));
    if (n) return Number(n[1].replace(/,/g, ''));
  }
  return undefined;
}

/** A choice question decided by comparing one number per option (a year, a count): what to compute. */
export interface NumericComparison {
  values: Record<string, number>;
  pick: 'min' | 'max';
}

export function numericComparison(question: string, pages: PageEvidence[]): NumericComparison | undefined {
  const options = choiceOptions(question);
  if (!options) return undefined;
  const [a, b] = options.map((o) => pageFor(o, pages));
  if (!a || !b || a === b) return undefined;
  const attribute = attributeTerms(question, options, { names: false });
  if (EARLIER.test(question) || LATER.test(question)) {
    const ya = yearFor(a, attribute);
    const yb = yearFor(b, attribute);
    if (ya !== undefined && yb !== undefined && ya !== yb) return { values: { [options[0]]: ya, [options[1]]: yb }, pick: EARLIER.test(question) ? 'min' : 'max' };
  }
  if (MORE.test(question) || FEWER.test(question)) {
    const qa = quantityFor(a, attribute);
    const qb = quantityFor(b, attribute);
    if (qa !== undefined && qb !== undefined && qa !== qb) return { values: { [options[0]]: qa, [options[1]]: qb }, pick: FEWER.test(question) ? 'min' : 'max' };
  }
  return undefined;
}

/** Python that settles a numeric comparison (the scripted policy hands the arithmetic to the interpreter). */
export function comparisonCode(comparison: NumericComparison): string {
  return `values = ${JSON.stringify(comparison.values)}\nprint(${comparison.pick}(values, key=values.get))\n`;
}

function answerChoice(question: string, options: [string, string], pages: PageEvidence[], random: () => number): string {
  const [a, b] = options.map((o) => pageFor(o, pages));
  if (a && b && a !== b) {
    const comparison = numericComparison(question, pages);
    if (comparison) {
      const [[first, x], [second, y]] = Object.entries(comparison.values);
      return (comparison.pick === 'min' ? x < y : x > y) ? first : second;
    }
    // otherwise: the option whose page shares more of the question's other words
    const rest = queryTerms(question).filter((t) => !queryTerms(options.join(' ')).includes(t));
    const overlap = (p: PageEvidence) => {
      const words = new Set(queryTerms(p.text));
      return rest.filter((t) => words.has(t)).length;
    };
    const oa = overlap(a);
    const ob = overlap(b);
    if (oa !== ob) return oa > ob ? options[0] : options[1];
  }
  return random() < 0.5 ? options[0] : options[1];
}

function answerYesNo(question: string, pages: PageEvidence[]): string {
  const pair = pairedEntities(question);
  const found = pair?.map((p) => pageFor(p, pages));
  if (!pair || !found?.[0] || !found?.[1] || found[0] === found[1]) return 'yes';
  const [a, b] = found as [PageEvidence, PageEvidence];
  if (/\bsame\b|\bboth\b.*\b(from|of)\b.*\b(country|nationality)\b/i.test(question) && /nationality|country|from/i.test(question)) {
    const na = NATIONALITY.exec(a.text)?.[0];
    const nb = NATIONALITY.exec(b.text)?.[0];
    if (na && nb) return na === nb ? 'yes' : 'no';
  }
  const nameTerms = new Set(queryTerms(pair.join(' ')));
  const property = queryTerms(question).filter((t) => !nameTerms.has(t) && !['both', 'same', 'also'].includes(t));
  if (property.length === 0) return 'yes';
  const has = (p: PageEvidence) => property.some((t) => queryTerms(p.text.slice(0, 400)).includes(t));
  return has(a) && has(b) ? 'yes' : 'no';
}

type Kind = 'date' | 'number' | 'name' | 'place' | 'nationality';

function expectedKind(question: string): Kind {
  if (/\bwhat nationality\b/i.test(question)) return 'nationality';
  if (/^where\b|\b(what|which) (city|country|state|town|county|region|island|continent)\b|\blocated in what\b|\bheadquartered\b/i.test(question)) return 'place';
  if (/^(when|in what year|what year|which year|on what date|what date)\b/i.test(question) || /\b(what|which) year\b/i.test(question)) return 'date';
  if (/\bhow (many|much|long|old|tall|far|big)\b|\bwhat (number|percentage|population)\b/i.test(question)) return 'number';
  return 'name';
}

const NOT_A_NAME = new RegExp(`^(?:${MONTH}|During|After|Before|Although|However|While|When|Since|Its|His|Her|Their|This|That|There|It|He|She|They|In|On|At|The|A|An)$`);

function spans(sentence: string, kind: Kind): string[] {
  if (kind === 'nationality') return [...sentence.matchAll(new RegExp(NATIONALITY, 'g'))].map((m) => m[0]);
  if (kind === 'place') return [...sentence.matchAll(/\b(?:in|at|near|from|of)\s+((?:the\s+)?[A-Z][\p{L}'’.-]*(?:,?\s+[A-Z][\p{L}'’.-]*)*)/gu)].map((m) => m[1].replace(/^the\s+/, '').replace(/[.,]$/, ''));
  const pattern = kind === 'date' ? DATE : kind === 'number' ? NUMBER : NAME;
  return (sentence.match(pattern) ?? [])
    .map((s) => s.replace(LEADING_NOISE, '').replace(/[.,]$/, '').trim())
    .filter((s) => s && (kind !== 'name' || (!NOT_A_NAME.test(s) && !NATIONALITY.test(s) && !new RegExp(`^${MONTH}\\b`).test(s))));
}

/** Candidate answer spans of the expected type, best first. */
export function rankedSpans(question: string, pages: PageEvidence[], laterPagesFirst = false, kindOverride?: Kind): string[] {
  const kind = kindOverride ?? expectedKind(question);
  const qTerms = new Set(queryTerms(question));
  const best = new Map<string, number>();
  pages.forEach((page, pageRank) => {
    const titleInQuestion = queryTerms(page.title).every((t) => qTerms.has(t));
    // a page the question does not name is likely the bridge's far end, where the answer lives
    const candidates: Array<{ text: string; context: string }> = [];
    if ((kind === 'name' || kind === 'place') && !titleInQuestion && page.title) candidates.push({ text: page.title.replace(/\s*\(.*\)$/, ''), context: page.text.slice(0, 300) });
    for (const sentence of splitSentences(page.text)) for (const s of spans(sentence, kind)) candidates.push({ text: s, context: sentence });
    for (const c of candidates) {
      const own = queryTerms(c.text);
      if (own.length === 0 || own.every((t) => qTerms.has(t))) continue;
      const overlap = queryTerms(c.context).filter((t) => qTerms.has(t) && !own.includes(t)).length;
      const personish = /^who\b/i.test(question) && own.length >= 2 && own.length <= 4 ? 0.5 : 0;
      const score = overlap + personish + (titleInQuestion ? 0 : 0.5) - (laterPagesFirst ? pages.length - 1 - pageRank : pageRank) * 0.1 - Math.max(0, own.length - 4) * 0.3;
      if (score > (best.get(c.text) ?? -Infinity)) best.set(c.text, score);
    }
  });
  return [...best].sort((a, b) => b[1] - a[1]).map(([text]) => text);
}

/**
 * The scripted policy's final answer from the pages it read. `explore` (0–1) is the chance to take the
 * runner-up span instead of the best one: the scripted stand-in for sampling temperature, so a group's
 * rollouts can disagree.
 */
export function extractAnswer(question: string, pages: PageEvidence[], random: () => number, explore = 0): string {
  if (pages.length === 0) return '';
  const options = choiceOptions(question);
  if (options) return answerChoice(question, options, pages, random);
  if (YES_NO.test(question.trim())) return answerYesNo(question, pages);
  let ranked = rankedSpans(question, pages, true);
  // a question about two entities: its answer is the one both of their pages give
  const pair = askedPair(question)?.map((name) => pageFor(name, pages));
  if (pair?.[0] && pair[1] && pair[0] !== pair[1]) {
    const shared = ranked.filter((c) => pair.every((p) => containsPhrase(p!.text, c)));
    if (shared.length) ranked = shared;
  }
  const answer = (ranked.length > 1 && random() < explore ? ranked[1] : ranked[0]) ?? '';
  // "In which year …?" asks for the year, not the whole date the page gives
  return ASKS_YEAR.test(question) ? (/\b\d{4}$/.exec(answer)?.[0] ?? answer) : answer;
}

const ASKS_YEAR = /\b(?:in (?:what|which) year|(?:what|which) year)\b/i;

export function isYesNo(question: string): boolean {
  return YES_NO.test(question.trim());
}
