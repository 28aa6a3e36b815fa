import { escapeRegExp } from './draft.ts';

/** A dated event of an entity, read from one of its statements: what the year is the year of. */
export interface DatedEvent {
  /** born, died, or a participle (founded, released…) or past tense (opened) of the statement. */
  verb: string;
  /** passive: "X was founded"; active: "X opened"; born/died are their own kinds. */
  kind: 'passive' | 'active' | 'born' | 'died';
  /** "was" or "were", as the statement has it (passive only). */
  aux: string;
  /** What the verb takes before the date, kept in the question: "created Earl of Kenmare", "founded as Newton Heath LYR". */
  complement?: string;
  /** "first" when the statement says the event happened first then ("was created first in 1662"): there were others. */
  first?: boolean;
  year: number;
  statement: number;
}

const PASSIVE = 'founded|established|formed|released|published|built|completed|launched|created|incorporated|opened|constructed|inaugurated|premiered|introduced|designed|discovered|signed|elected|appointed|renamed|named';
const ACTIVE: Record<string, string> = { opened: 'open', premiered: 'premiere', debuted: 'debut', closed: 'close', retired: 'retire', died: 'die' };
/** Verbs whose event is incomplete without what follows: "created [Earl of Kenmare]", "named [chief executive]". */
const COMPLEMENTED = /^(created|named|renamed|elected|appointed|signed)$/;
const DATE = String.raw`(?:in|on)\s+(?:(?:early|late|mid)[\s-]+)?(?:\d{1,2}\s+)?(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+)?(?:\d{1,2},?\s+)?(1[0-9]\d\d|20[0-3]\d)\b(?![–-]\d)`;
const SUBJECT = String.raw`(?:[Tt]he\s+\p{Ll}[\p{Ll}-]*|[Ii]t|[Tt]hey|[Hh]e|[Ss]he)`;

/** Dated events stated about `name` in `statements`, one per statement at most (the first it makes). */
export function datedEvents(name: string, statements: string[]): DatedEvent[] {
  const out: DatedEvent[] = [];
  statements.forEach((s, statement) => {
    const event = eventOf(name, s);
    if (event) out.push({ ...event, statement });
  });
  return out;
}

function eventOf(name: string, s: string): Omit<DatedEvent, 'statement'> | undefined {
  const n = `${escapeRegExp(name)}(?![\\p{L}\\p{N}])`;
  const last = escapeRegExp(name.replace(/\s*\(.*\)$/, '').split(/\s+/).pop() ?? name);
  // "Lisa Raymond (born August 10, 1973)", "Liezel Huber (née Horn; born 21 August 1976)", "Ed Wood (October 10, 1924 – December 10, 1978)"
  const paren = new RegExp(`^(?:[\\p{Lu}][\\p{L}.'’-]*\\s+){0,4}?${last}\\s*\\(([^()]*)\\)`, 'u').exec(s) ?? new RegExp(`^${n}\\s*\\(([^()]*)\\)`, 'u').exec(s);
  if (paren && s.startsWith(name.split(/\s+/)[0])) {
    const inside = paren[1];
    const born = /(?:^|;\s*)(?:born|b\.)\s+(?:on\s+|in\s+)?[^;]*?\b(1[0-9]\d\d|20[0-3]\d)\b/.exec(inside);
    if (born) return { verb: 'born', kind: 'born', aux: 'was', year: Number(born[1]) };
    const span = /^[^;–-]*?\b(1[0-9]\d\d|20[0-3]\d)\s*[–-]\s*[^;]*?\b(1[0-9]\d\d|20[0-3]\d)\s*$/.exec(inside);
    if (span) return { verb: 'born', kind: 'born', aux: 'was', year: Number(span[1]) };
  }
  const starts = new RegExp(`^(?:The\\s+)?${n}`, 'u').test(s);
  const subject = starts ? `(?:^(?:The\\s+)?${n}|\\b${SUBJECT})` : `\\b${SUBJECT}`;
  // other statements count only when the extractor anchored them by "The club was…" or "Nicknamed …, the club was…"
  if (!starts && !new RegExp(`(?:^|,\\s*)${SUBJECT}\\s+(?:was|were)\\s`, 'u').test(s)) return undefined;
  const passive = new RegExp(`${subject}\\s+(was|were)\\s+(?:first\\s+|originally\\s+|officially\\s+|formally\\s+)?(${PASSIVE})\\b((?:(?!\\b(?:which|who|whom|whose|that|when|and\\s+(?:was|were|is|has))\\b)[^.;])*?)\\s*${DATE}`, 'u').exec(s);
  if (passive && passive[3].length <= 70) {
    // "was created Earl of Kenmare in 1801": the complement belongs to the event; a long or clause-like one does not fit a question
    const complement = passive[3].trim().replace(/,$/, '');
    // a complement that repeats the name ("Valentine Browne, 1st Earl of Kenmare created First Earl of Kenmare") says nothing
    const repeats = complement.split(/\s+/).filter((w) => /^\p{Lu}/u.test(w) && w.length > 3 && name.includes(w)).length > 0;
    const keep = complement && complement.split(/\s+/).length <= 6 && !/[,()"]/.test(complement) && !repeats;
    if (repeats) return undefined;
    if (!keep && (COMPLEMENTED.test(passive[2]) || complement.split(/\s+/).length > 6)) return undefined;
    return { verb: passive[2], kind: 'passive', aux: passive[1], year: Number(passive[4]), first: /\bfirst\b/.test(passive[0]), complement: keep ? complement : undefined };
  }
  if (starts) {
    const died = new RegExp(`^(?:The\\s+)?${n}\\s+died\\s+${DATE}`, 'u').exec(s);
    if (died) return { verb: 'died', kind: 'died', aux: '', year: Number(died[1]) };
    const active = new RegExp(`^(?:The\\s+)?${n}\\s+(?:first\\s+)?(${Object.keys(ACTIVE).join('|')})\\s+${DATE}`, 'u').exec(s);
    if (active) return { verb: active[1], kind: 'active', aux: '', year: Number(active[2]) };
    const participle = new RegExp(`^(?:The\\s+)?${n}\\s+(?:is|was)\\s+(?:an?|the)\\s+((?:(?!\\b(?:which|who|whom|whose|that|when)\\b)[^.;()])*?),?\\s+(${PASSIVE})\\s+${DATE}`, 'u').exec(s);
    if (participle && participle[1].length <= 80) return { verb: participle[2], kind: 'passive', aux: 'was', year: Number(participle[3]) };
  }
  return undefined;
}

/** "In which year was Manchester United founded?" */
export function askYear(name: string, e: DatedEvent): string {
  if (e.kind === 'born') return `In which year was ${name} born?`;
  if (e.kind === 'died') return `In which year did ${name} die?`;
  if (e.kind === 'active') return `In which year did ${name} ${ACTIVE[e.verb]}?`;
  return `In which year ${e.aux} ${name} ${e.first ? 'first ' : ''}${e.verb}${e.complement ? ` ${e.complement}` : ''}?`;
}

/** "Manchester United was founded" (the clause "after …" takes). */
export function eventClause(name: string, e: DatedEvent): string {
  if (e.kind === 'born') return `${name} was born`;
  if (e.kind === 'died' || e.kind === 'active') return `${name} ${e.verb}`;
  return `${name} ${e.aux} ${e.first ? 'first ' : ''}${e.verb}${e.complement ? ` ${e.complement}` : ''}`;
}

/** "was Liezel Huber born", "did Trafford Bar open" (the main clause of "How many years after …"). */
export function eventInversion(name: string, e: DatedEvent): string {
  if (e.kind === 'born') return `was ${name} born`;
  if (e.kind === 'died') return `did ${name} die`;
  if (e.kind === 'active') return `did ${name} ${ACTIVE[e.verb]}`;
  return `${e.aux} ${name} ${e.first ? 'first ' : ''}${e.verb}${e.complement ? ` ${e.complement}` : ''}`;
}

/** "was founded first", "died first" (comparisons). */
export function eventFirst(e: DatedEvent): string {
  if (e.kind === 'born') return 'was born first';
  if (e.kind === 'died' || e.kind === 'active') return `${e.verb} first`;
  return `was ${e.verb} first`;
}
