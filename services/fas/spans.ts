import { escapeRegExp, YEAR } from './draft.ts';

const MONTHS = /^(January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$/;
const NAME = /\p{Lu}[\p{L}'’-]+(?:\s+(?:(?:of|de|the|von|van|from|and)\s+)?\p{Lu}[\p{L}'’-]+)*/gu;

/** An answerable span of a statement and the question that asks for it ("echo" questions keep the statement's words). */
export interface AskedSpan {
  kind: 'year' | 'count' | 'name';
  answer: string;
  question: string;
}

/** Ways to ask about one statement of `entityName`, best first: a year, a count, another name it mentions. */
export function askableSpans(statement: string, entityName: string): AskedSpan[] {
  const out: AskedSpan[] = [];
  const year = YEAR.exec(statement)?.[1];
  if (year) {
    const inYear = new RegExp(`\\b[Ii]n ${year}\\b`);
    const text = inYear.test(statement) ? statement.replace(inYear, 'in which year') : statement.replace(year, 'which year');
    out.push({ kind: 'year', answer: year, question: asEcho(text) });
  }
  const count = /(?<![\d.,\p{L}])(\d{1,3}(?:,\d{3})+|\d+)\s+(\p{Ll}[\p{L}-]*)/u.exec(statement);
  if (count && count[1] !== year && !/^(years?|st|nd|rd|th)$/.test(count[2])) {
    out.push({ kind: 'count', answer: count[1], question: asEcho(statement.replace(count[0], `how many ${count[2]}`)) });
  }
  for (const m of statement.matchAll(NAME)) {
    const name = m[0].replace(/['’]s$/, '');
    if ((m.index ?? 0) === 0 || name.length < 3 || MONTHS.test(name) || sameEntity(name, entityName)) continue;
    out.push({ kind: 'name', answer: name, question: `Which name completes this statement about ${entityName}: "${statement.replace(name, '___').replace(/\.$/, '')}"?` });
    break;
  }
  return out;
}

function sameEntity(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || y.includes(x) || x.includes(y);
}

function asEcho(text: string): string {
  const t = text.trim().replace(/[.!;:,\s]+$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}?`;
}

/** The statement with its mention of `year` taken out ("…was built in 1874 on the pier" → "…was built on the pier"). */
export function withoutYear(statement: string, year: string): string {
  const y = escapeRegExp(year);
  let text = statement
    .replace(new RegExp(`\\s*\\([^()]*\\b${y}\\b[^()]*\\)`), '')
    .replace(new RegExp(`^(?:In|On|By|During|Since|From)\\s+[^,]*\\b${y}\\b[^,]*,\\s*`), '')
    .replace(new RegExp(`,?\\s*\\b(?:in|on|during|by|since|from|around)\\s+(?:(?:early|late|mid)[\\s-]+)?(?:\\d{1,2}\\s+)?(?:\\p{Lu}\\p{Ll}+\\.?\\s+)?(?:\\d{1,2},?\\s+)?${y}\\b`, 'u'), '');
  text = text.replace(new RegExp(`\\bthe ${y}\\s+`, 'i'), "that year's ");
  if (text.includes(year)) text = text.replace(year, 'a certain year');
  text = text.trim().replace(/[.\s]+$/, '');
  return /^(At|In|On|During|After|Before|By|From|Since|The|A|An)\s/.test(text) ? `${text.charAt(0).toLowerCase()}${text.slice(1)}` : text;
}

/** Replaces whole-word occurrences of `name` (the entity's name) in `text`. */
export function replaceName(text: string, name: string, by: string): string {
  return text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'gu'), by);
}

/** "X is/was a Y …" → "Y …" (a description that can stand in for the name, up to its first comma), or undefined. */
export function descriptionOf(statement: string): string | undefined {
  const m = /\b(?:is|was)\s+(?:an?|the)\s+([^.;()]+)/u.exec(statement);
  if (!m) return undefined;
  const text = m[1].split(/,\s|\s(?:and|but)\s(?:is|was|has|had)\b/)[0].trim();
  const words = text.split(/\s+/);
  if (words.length < 2 || words.length > 16 || (text.match(/["“”]/g) ?? []).length % 2 !== 0) return undefined;
  return text.replace(/[,\s]+$/, '');
}

/** A statement as a clue inside the question: no foreign-script glosses, tidy spaces, single quotes, no final stop. */
export function quotable(statement: string): string {
  // "1989 Houston Oilers season would be …" (a page title as subject) reads "The 1989 Houston Oilers season would be …"
  return statement
    .replace(/^(\d{4}(?:–\d{2,4})? \p{Lu}[^,]*? (?:season|election|championships?|tournament|festival|census|games))\b/u, 'The $1')
    .replace(/\s*\((?:[A-Z][a-z]+:|in [A-Z][a-z]+\s)[^()]*\)/g, '')
    .replace(/\(\s*[;,]?\s*/g, '(')
    .replace(/\s+([),.;:])/g, '$1')
    .replace(/["“”]/g, "'")
    .replace(/\s{2,}/g, ' ')
    .trim()
    .replace(/\.$/, '');
}
