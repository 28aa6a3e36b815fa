import nlp from 'compromise/two';
import { useSweep } from './fast-sweep.ts';

useSweep('fast');

export interface Mention {
  name: string;
  type: 'person' | 'place' | 'organization' | 'thing';
  start: number;
  end: number;
}

// Words that may sit inside one name: "Plan 9 from Outer Space", "University of Westmarch", "Vincent van Gogh".
const CONNECTOR = /^\s+(?:(?:of|from|the|de|del|da|di|la|le|von|van|du|der|\d+)\s+){1,3}$/;
const SKIP_ONLY = new Set(['Demonym', 'Month', 'WeekDay', 'Date', 'Honorific', 'Pronoun', 'Unit', 'Ordinal']);
const WORD_REST = /^[\p{L}\p{N}]*(?:-[\p{L}\p{N}]+)*/u;
const CLOSING = /[\s"'”’»—–]/;
const PAREN_REST = /^[^()\n]{0,40}\)/;
const TRAILING_ABBREVIATION = /\b(?:Jr|Sr|Inc|Ltd|Co|Corp|St|Bros)\.$/;

interface Run {
  text: string;
  start: number;
  end: number;
  tags: Set<string>;
}

/**
 * Named-entity mentions of `text` with offsets: compromise's proper-noun runs, joined across connectors
 * compromise splits on ("Plan 9 from Outer Space"), typed person / place / organization from its tags.
 */
export function findMentions(text: string): Mention[] {
  const matches = nlp(text).match('#ProperNoun+').json({ offset: true, terms: { tags: true } }) as Array<{
    text: string;
    offset: { start: number; length: number };
    terms: Array<{ tags: string[] }>;
  }>;
  const runs: Run[] = [];
  for (const m of matches) {
    const start = m.offset.start;
    let end = start + m.offset.length;
    // compromise's length takes in a closing quote and the space after it ('Knights" ' of '"Cities & Knights" can')
    while (end > start && CLOSING.test(text[end - 1])) end--;
    // …and can end a match inside a hyphenated word ("Twenty-" of "Twenty-fifth"): a name takes the whole word
    if (/[\p{L}\p{N}-]/u.test(text[end - 1] ?? '')) end += WORD_REST.exec(text.slice(end))?.[0].length ?? 0;
    // …or inside a parenthesised qualifier ("Mind Control (Tantric" of "Mind Control (Tantric album)")
    if (/\([^)]*$/.test(text.slice(start, end))) end += PAREN_REST.exec(text.slice(end))?.[0].length ?? 0;
    const run: Run = { text: text.slice(start, end), start, end, tags: new Set(m.terms.flatMap((t) => t.tags)) };
    const previous = runs[runs.length - 1];
    const gap = previous ? text.slice(previous.end, run.start) : '';
    if (previous && (/^\s*$/.test(gap) || CONNECTOR.test(gap)) && !/[.,;:!?]$/.test(previous.text.trim()) && !closesOutside(previous.text)) {
      previous.text = text.slice(previous.start, run.end);
      previous.end = run.end;
      for (const t of run.tags) previous.tags.add(t);
    } else {
      runs.push(run);
    }
  }
  const mentions: Mention[] = [];
  for (const run of runs.flatMap(splitRun)) {
    let name = run.text.trim();
    if (!TRAILING_ABBREVIATION.test(name)) name = name.replace(/[.,;:!?]+$/, '');
    name = name.replace(/^[("'“]+/, '').replace(name.includes('(') ? /["'”]+$/ : /[)"'”]+$/, '').replace(/['’]s$/, '');
    // a bracket left open is no qualifier ('Shirokuma Cafe (Japanese', 'Martin Jr. (March 20'): the name ends before it
    name = name.replace(/\s*\([^)]*$/, '');
    if (name.length < 2 || !/\p{Lu}/u.test(name)) continue;
    const meaningful = [...run.tags].filter((t) => !['Noun', 'ProperNoun', 'Singular', 'Plural', 'TitleCase', 'Uncountable', 'Abbreviation'].includes(t));
    if (meaningful.length > 0 && meaningful.every((t) => SKIP_ONLY.has(t) || t === 'Actor' || t === 'Adjective')) continue;
    mentions.push({ name, type: typeOf(run.tags), start: run.start, end: run.start + run.text.indexOf(name) + name.length });
  }
  return mentions;
}

/**
 * Whether `text` closes what a name cannot run past: a clause ('Trafford,', 'Wick."'), or a quote or parenthesis
 * opened before it ('"Time"' of '"Time" magazine', 'Ass")' of '"Golden Ass") of Apuleius'). A nickname's quotes,
 * as in 'John "Jack" Russell', are its own.
 */
function closesOutside(text: string): boolean {
  const t = text.trim();
  const count = (pattern: RegExp) => t.match(pattern)?.length ?? 0;
  if (/[,;]$|[.!?]["'”’)]+$/.test(t)) return true;
  if (t.endsWith(')')) return count(/\(/g) < count(/\)/g);
  if (/["”]$/.test(t)) return count(/["“”]/g) % 2 === 1;
  return false;
}

/** compromise sometimes runs a match past such a close ("Old Trafford, Greater Manchester", '"Parade" magazine'): two names. */
function splitRun(run: Run): Run[] {
  const parts: Run[] = [];
  let from = 0;
  for (const word of run.text.matchAll(/\S+/g)) {
    const to = word.index + word[0].length;
    const next = run.text.slice(to).search(/\S/);
    if (next < 0 || !closesOutside(run.text.slice(from, to))) continue;
    parts.push({ text: run.text.slice(from, to), start: run.start + from, end: run.start + to, tags: run.tags });
    from = to + next;
  }
  parts.push({ text: run.text.slice(from), start: run.start + from, end: run.end, tags: run.tags });
  return parts;
}

function typeOf(tags: Set<string>): Mention['type'] {
  if (tags.has('Person') || tags.has('FirstName') || tags.has('LastName')) return 'person';
  if (tags.has('Place') || tags.has('City') || tags.has('Country') || tags.has('Region')) return 'place';
  if (tags.has('Organization') || tags.has('Company') || tags.has('SportsTeam') || tags.has('School')) return 'organization';
  return 'thing';
}

/** A page title's name without its disambiguation: "Marco da Silva (French footballer)", "Old Trafford, Greater Manchester". */
export function withoutDisambiguation(title: string): string {
  return title.replace(/\s*\([^)]*\)\s*$/, '').replace(/,\s.*$/, '').trim();
}

const VERSUS = /\s(?:v|vs|versus)\.?\s/;
// What may stand before the name in a title: "Roald Dahl Plass", not "Battle of Malvern Hill" or "All Ages: The Boston …"
const CAPITALISED_WORDS = /^(?:[\p{Lu}\p{N}][\p{L}\p{N}.'’-]*\s+)*$/u;
const NAME_SUFFIX = /^\s*(?:F\.?\s?C\.?|A\.?F\.?C\.?|S\.?C\.?|Inc\.?|Ltd\.?|Jr\.?|Sr\.?|[IVX]+)?\s*$/;

/**
 * The type of a page title: compromise's type of the name the title ends with, when only capitalised words stand
 * before it ("Gorse Hill", "Henry III of France" as one name, "Manchester United F.C."), else 'thing'. A name inside
 * a title is not its type: "1989 Houston Oilers season" is no person, "Human rights in Niger" no place, nor is
 * either side of "Van Staphorst v. Maryland".
 */
export function typeOfName(title: string): Mention['type'] {
  const name = title.trim();
  const core = withoutDisambiguation(name);
  if (VERSUS.test(core)) return 'thing';
  const mentions = findMentions(name);
  for (const m of mentions) {
    const nameEnd = m.end - (m.name.length - withoutDisambiguation(m.name).length);
    if (nameEnd <= core.length && CAPITALISED_WORDS.test(core.slice(0, m.start)) && NAME_SUFFIX.test(core.slice(nameEnd))) return m.type;
  }
  // "Bangor, Maine": a name the tagger does not know, placed in a place
  const region = name[core.length] === ',' && !mentions.some((m) => m.start < core.length) ? mentions[0] : undefined;
  return region?.type === 'place' ? 'place' : 'thing';
}
