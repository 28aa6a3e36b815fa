import type { Evidence } from '../../platform/generated/records.ts';
import { containsWords, isNumber, isYear, norm, numbersIn } from './text.ts';
import type { Check } from './types.ts';

const STOP = new Set('the and was were is are has had have his her its their with from into that this which who whom for not but also then than there been being after before about over under between among during while when where what year years month day date first last more most many much some other such only same both each all any one two three four five six seven eight nine ten'.split(' '));
const MONTH = /^(january|february|march|april|may|june|july|august|september|october|november|december)$/;

/** Lower-case content words near a number in a statement: what the number is the value of ("founded", "born"). */
export function contextOf(statement: string, value: number): string[] {
  const out: string[] = [];
  // "Howard Fast (November 11, 1914 – March 12, 2003)": the first year is a birth, the second a death
  const span = /\(([^()]*?\b(1[0-9]\d\d|20[0-3]\d))\s*[–-]\s*[^()]*?\b(1[0-9]\d\d|20[0-3]\d)\)/.exec(statement);
  if (span && Number(span[2]) === value) out.push('born');
  if (span && Number(span[3]) === value) out.push('died');
  // a year inside brackets is the value of what the brackets say ("(née Horn; born 21 August 1976)")
  for (const m of statement.matchAll(/\(([^()]*)\)/g)) {
    if (!numbersIn(m[1]).includes(value)) continue;
    out.push(...contextOf(m[1], value));
    statement = statement.replace(m[0], ' ');
  }
  const words = statement.split(/\s+/);
  words.forEach((w, i) => {
    const digits = w.replace(/[^\d.,]/g, '').replace(/[.,]+$/, '');
    if (!digits || Number(digits.replace(/,/g, '')) !== value) return;
    for (const near of [...words.slice(Math.max(0, i - 8), i), ...words.slice(i + 1, i + 7)]) {
      const bare = near.replace(/[^\p{L}-]/gu, '');
      if (bare.length >= 3 && /^\p{Ll}/u.test(bare) && !STOP.has(bare) && !MONTH.test(bare)) out.push(bare);
    }
  });
  return out;
}

/** Words that imply another: "how old" asks from a birth. */
const IMPLIES: Record<string, string> = { old: 'born', older: 'born', oldest: 'born', younger: 'born', youngest: 'born', age: 'born', aged: 'born', birth: 'born', death: 'died', founding: 'founded', started: 'founded', start: 'founded', began: 'founded', formed: 'founded', created: 'founded', established: 'founded', opened: 'founded' };

/** The question refers to the value's context: it shares a word (same first five letters) with it. */
function anchored(question: string, statement: string, value: number): boolean {
  const words = norm(question).split(' ');
  const q = [...words, ...words.flatMap((w) => (IMPLIES[w] ? [IMPLIES[w]] : []))].map((w) => w.slice(0, 5));
  return contextOf(statement, value).some((w) => q.includes(norm(w).slice(0, 5)));
}

const YES_NO = /^(?:are|is|was|were|do|does|did|has|have|had|can|could|will|would|should)\s/i;
const TEMPORAL = /\b(?:first|earlier|earliest|older|oldest|younger|youngest|later|latest|last|newer|newest|before|after)\b/i;

const valuesIn = (e: Evidence) => (e.statement.match(/\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?/g) ?? []).map((n) => Number(n.replace(/,/g, '')));

/**
 * question:unsupported-answer — the answer must follow from the question's evidence: stated in it, about what
 * the question asks (a year's or number's context words are in the question), or — for a computed answer —
 * the difference or sum of two values each of which the question refers to; a comparison's answer is one of
 * its evidence entities, each compared on a value the question names.
 */
export const unsupportedAnswer: Check = ({ draft, cluster }) => {
  const answer = draft.answer.trim();
  if (!norm(answer)) return 'empty answer';
  if (draft.evidence.length === 0) return 'no evidence';
  const q = draft.question;
  if (draft.style === 'numeric' && isNumber(answer)) {
    const target = Number(answer.replace(/,/g, ''));
    const operands = draft.evidence.flatMap((e) => valuesIn(e).filter((v) => anchored(q, e.statement, v)).map((v) => ({ v, e })));
    for (const a of operands) for (const b of operands) if (a !== b && (Math.abs(a.v - b.v) === target || a.v + b.v === target)) return undefined;
    return `${answer} is not the difference or sum of two values the question refers to`;
  }
  if (/^(?:yes|no)$/i.test(answer)) return YES_NO.test(q.trim()) ? undefined : `"${answer}" answers no yes/no question`;
  if (draft.style === 'synthesis') {
    const names = new Map(cluster.entities.map((e) => [e.entity_id, e.name]));
    const candidate = draft.evidence.some((e) => norm(names.get(e.entity_id) ?? '') === norm(answer));
    if (!candidate) return draft.evidence.some((e) => containsWords(e.statement, answer)) ? undefined : `"${answer}" is neither a compared entity nor stated in the evidence`;
    if (!TEMPORAL.test(q)) return undefined;
    // "which came first": every candidate is compared on a year the question names the event of
    const byEntity = new Map<string, Evidence[]>();
    for (const e of draft.evidence) byEntity.set(e.entity_id, [...(byEntity.get(e.entity_id) ?? []), e]);
    for (const [id, statements] of byEntity) {
      if (!statements.some((e) => valuesIn(e).some((v) => isYear(String(v)) && anchored(q, e.statement, v)))) return `no value the question compares for ${names.get(id) ?? id}`;
    }
    return undefined;
  }
  const stating = draft.evidence.filter((e) => containsWords(e.statement, answer));
  if (stating.length === 0) return `"${answer}" does not appear in the evidence`;
  if (isNumber(answer) && !stating.some((e) => anchored(q, e.statement, Number(answer.replace(/,/g, ''))))) return `the question does not refer to what ${answer} is the value of`;
  return undefined;
};
