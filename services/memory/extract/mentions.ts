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
    // compromise can end a match inside a hyphenated word ("Twenty-" of "Twenty-fifth"): a name takes the whole word
    let end = start + m.offset.length + (WORD_REST.exec(text.slice(start + m.offset.length))?.[0].length ?? 0);
    // …or inside a parenthesised qualifier ("Mind Control (Tantric" of "Mind Control (Tantric album)")
    if (/\([^)]*$/.test(text.slice(start, end))) end += PAREN_REST.exec(text.slice(end))?.[0].length ?? 0;
    const run: Run = { text: text.slice(start, end), start, end, tags: new Set(m.terms.flatMap((t) => t.tags)) };
    const previous = runs[runs.length - 1];
    const gap = previous ? text.slice(previous.end, run.start) : '';
    if (previous && (/^\s*$/.test(gap) || CONNECTOR.test(gap)) && !/[.,;:!?]$/.test(previous.text.trim())) {
      previous.text = text.slice(previous.start, run.end);
      previous.end = run.end;
      for (const t of run.tags) previous.tags.add(t);
    } else {
      runs.push(run);
    }
  }
  const mentions: Mention[] = [];
  for (const run of runs.flatMap(splitAtCommas)) {
    let name = run.text.trim();
    if (!TRAILING_ABBREVIATION.test(name)) name = name.replace(/[.,;:!?]+$/, '');
    name = name.replace(/^[("'“]+/, '').replace(name.includes('(') ? /["'”]+$/ : /[)"'”]+$/, '').replace(/['’]s$/, '');
    if (name.length < 2 || !/\p{Lu}/u.test(name)) continue;
    const meaningful = [...run.tags].filter((t) => !['Noun', 'ProperNoun', 'Singular', 'Plural', 'TitleCase', 'Uncountable', 'Abbreviation'].includes(t));
    if (meaningful.length > 0 && meaningful.every((t) => SKIP_ONLY.has(t) || t === 'Actor' || t === 'Adjective')) continue;
    mentions.push({ name, type: typeOf(run.tags), start: run.start, end: run.start + run.text.indexOf(name) + name.length });
  }
  return mentions;
}

/** compromise sometimes runs a match across a comma ("Old Trafford, Greater Manchester"): two names. */
function splitAtCommas(run: Run): Run[] {
  const parts: Run[] = [];
  let offset = 0;
  for (const piece of run.text.split(/(?<=[,;])\s+/)) {
    const start = run.start + run.text.indexOf(piece, offset);
    offset = start - run.start + piece.length;
    parts.push({ text: piece, start, end: start + piece.length, tags: run.tags });
  }
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

// Where a title's head noun phrase ends: "Battle| of Malvern Hill", "Human rights| in Niger".
const POST_MODIFIER = /\s(?:of|in|for|on|at|under|from|to|with|by|during|against)\s/;
const VERSUS = /\s(?:v|vs|versus)\.?\s/;
// What may stand before the name in a title: "Roald Dahl Plass", not "The Year Without a Santa Claus" or "All Ages: The Boston …"
const CAPITALISED_WORDS = /^(?:[\p{Lu}\p{N}][\p{L}\p{N}.'’-]*\s+)*$/u;
const NAME_SUFFIX = /^\s*(?:F\.?\s?C\.?|A\.?F\.?C\.?|S\.?C\.?|Inc\.?|Ltd\.?|Jr\.?|Sr\.?|[IVX]+)?\s*$/;

/**
 * The type of a page title: compromise's type of the mention that is the title's name, else 'thing'. A name inside
 * the title is not the title's type: "1989 Houston Oilers season" is no person, "Battle of Malvern Hill" no place,
 * "Van Staphorst v. Maryland" neither. The name is the whole title ("Henry III of France") or its head ("Gorse Hill").
 */
export function typeOfName(title: string): Mention['type'] {
  const name = title.trim();
  const core = withoutDisambiguation(name);
  if (VERSUS.test(core)) return 'thing';
  const cut = POST_MODIFIER.exec(core);
  const headEnd = cut ? cut.index : core.length;
  const mentions = findMentions(name);
  for (const m of mentions) {
    const nameEnd = m.end - (m.name.length - withoutDisambiguation(m.name).length);
    if (m.start > headEnd || nameEnd > core.length || !CAPITALISED_WORDS.test(core.slice(0, m.start))) continue;
    if (nameEnd === core.length || (nameEnd <= headEnd && NAME_SUFFIX.test(core.slice(nameEnd, headEnd)))) return m.type;
  }
  // "Bangor, Maine": a name the tagger does not know, placed in a place
  const region = name[core.length] === ',' && !mentions.some((m) => m.start < core.length) ? mentions[0] : undefined;
  return region?.type === 'place' ? 'place' : 'thing';
}
