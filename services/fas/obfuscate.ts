import type { Cluster, ClusterEntity, Operation } from '../platform/generated/records.ts';
import { datedEvents } from './events.ts';
import { birthplaces } from './places.ts';
import { agentRelations } from './relations.ts';
import { asQuestion, escapeRegExp, evidenceOf, sentenceCase, YEAR, YEARS, type QuestionDraft } from './draft.ts';
import { descriptionOf, quotable, replaceName } from './spans.ts';

/**
 * WebShaper-style atomic operations that make a question harder without changing its answer, each recorded on
 * the question in the order applied, with what it changed: describe_entity (a name becomes a specific
 * description taken from another of its statements), merge_entities (the entity is hidden in a two-candidate
 * set that only its own statement separates), blur_date (a year becomes its decade) and blur_number (a count
 * becomes a rounded "about"). Faithful: a value is blurred only outside the asked value's clause — in the text
 * an operation added to identify the entity — never in a computed question's operands, never into the asked
 * value's own decade; entity names are replaced whole or not at all.
 */
export function obfuscate(draft: QuestionDraft, cluster: Cluster, random: () => number, probability: number): QuestionDraft {
  let d: QuestionDraft = { ...draft, evidence: [...draft.evidence], operations: [...draft.operations], hidden: [...(draft.hidden ?? [])] };
  const roll = () => random() < probability;
  if (d.style !== 'factual') return d;
  const before = d.question;
  if (roll()) d = describeEntity(d, cluster) ?? d;
  if (d.question === before && roll()) d = mergeEntities(d, cluster, random) ?? d;
  const added = d.question === before ? '' : d.question;
  if (added && roll()) d = blurDates(d, before, cluster);
  if (added && roll()) d = blurNumbers(d, before);
  return d;
}

const target = (d: QuestionDraft, cluster: Cluster) => cluster.entities.find((e) => e.entity_id === d.entityIds[0]);

/**
 * A description identifies its entity only when it ties it to another named thing ("the chief executive
 * officer of Nerdist Industries", "the film directed by Tim Burton"); a kind and a place ("the American rock
 * band from Seattle") fits many.
 */
function specific(description: string): boolean {
  return description.split(/\s+/).length >= 4 && /\b(?:of|by)\s+(?:the\s+)?\p{Lu}/u.test(description);
}

/**
 * "X currently is the chief creative officer of Pixar" describes X only until someone else holds the post (and
 * sources disagree on who does): present-tense offices make a description time-bound.
 */
const timeBound = (statement: string) => /\b(?:currently|now|incumbent|present)\b/i.test(statement) || /\b(?:is|are)\s+(?:the\s+)?(?:current\s+)?(?:\w+\s+){0,2}(?:chief|president|chair(?:man|woman|person)?|ceo|cco|cfo|head|leader|captain|manager|director|editor|coach|owner|minister|secretary|governor|mayor)\b/i.test(statement);

function describeEntity(d: QuestionDraft, cluster: Cluster): QuestionDraft | undefined {
  const e = target(d, cluster);
  if (!e || !d.question.includes(e.name)) return undefined;
  const used = new Set(d.evidence.map((x) => x.statement));
  const answerDecade = /^\d{4}$/.test(d.answer) ? d.answer.slice(0, 3) : '';
  const i = e.statements.findIndex((s, k) => {
    const description = descriptionOf(s);
    if (used.has(s) || !description || !specific(description) || !s.startsWith(e.name) || timeBound(s)) return false;
    if (s.includes(d.answer) || (answerDecade && (s.match(YEARS) ?? []).some((y) => y.startsWith(answerDecade)))) return false;
    return k >= 0;
  });
  if (i < 0) return undefined;
  const description = `the ${descriptionOf(e.statements[i])}`;
  // a description is singular: "were the band formed" → "was the band formed"
  const bare = d.question.replace(new RegExp(`\\b[Tt]he (?=${escapeRegExp(e.name)})`, 'g'), '').replace(new RegExp(`\\bwere (?=${escapeRegExp(e.name)})`), 'was ');
  const question = sentenceCase(replaceName(bare, e.name, description));
  const op: Operation = { op: 'describe_entity', detail: `${e.name} → ${description}` };
  return { ...d, question, evidence: [...d.evidence, evidenceOf(e, i)], operations: [...d.operations, op], hops: d.hops + 1, hidden: [...(d.hidden ?? []), e.name] };
}

function mergeEntities(d: QuestionDraft, cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const e = target(d, cluster);
  if (!e || !d.question.includes(e.name)) return undefined;
  // a candidate of the same kind: one the question could be asked of too (another person born in some year)
  const others = cluster.entities.filter((o) => o.entity_id !== e.entity_id && o.name && !d.question.includes(o.name) && sameKind(o, d.predicate, d.answer));
  const other = others[Math.floor(random() * others.length)];
  const used = new Set(d.evidence.map((x) => x.statement));
  const i = e.statements.findIndex((s) => !used.has(s) && s.startsWith(e.name) && !s.includes(d.answer) && replaceName(s, e.name, 'X').split(/\bX\b/).length === 2 && s.length <= 200);
  if (!other || i < 0) return undefined;
  const [first, second] = [e.name, other.name].sort();
  const clue = quotable(replaceName(e.statements[i], e.name, 'X'));
  const question = asQuestion(`${replaceName(d.question.replace(new RegExp(`\\b[Tt]he (?=${escapeRegExp(e.name)})`, 'g'), ''), e.name, 'X').replace(/\?$/, '')}, X being whichever of ${first} and ${second} fits: "${clue}"`);
  const op: Operation = { op: 'merge_entities', detail: `${e.name} ∪ ${other.name}, separated by: ${clue}` };
  return { ...d, question, evidence: [...d.evidence, evidenceOf(e, i)], operations: [...d.operations, op], hops: d.hops + 1 };
}

/** The other candidate could be asked the same and answers differently (else telling them apart adds nothing). */
function sameKind(o: ClusterEntity, predicate = '', answer = ''): boolean {
  if (predicate.startsWith('by:')) {
    const agents = agentRelations(o.name, o.statements).filter((r) => r.verb === predicate.slice(3));
    return agents.length > 0 && agents.every((r) => r.agent !== answer);
  }
  if (predicate === 'born-in') {
    const places = birthplaces(o.name, o.statements);
    return places.length > 0 && places.every((b) => b.place !== answer);
  }
  const events = datedEvents(o.name, o.statements).filter((x) => x.verb === predicate);
  return !!predicate && events.length > 0 && events.every((x) => String(x.year) !== answer);
}

/**
 * One year in the text an operation added (not in `asked`, the question before it) becomes its decade: "in
 * 1966" → "in the 1960s", "her 1966 hit" → "her 1960s hit". Years inside an entity name, written more than
 * once, in the asked value's decade or after anything but a preposition or determiner stay as they are.
 */
function blurDates(d: QuestionDraft, asked: string, cluster: Cluster): QuestionDraft {
  const answerDecade = /^\d{4}$/.test(d.answer) ? d.answer.slice(0, 3) : '';
  const names = cluster.entities.map((e) => e.name).filter((n) => YEAR.test(n));
  const masked = names.reduce((q, n) => q.split(n).join('\u0000'.repeat(n.length)), d.question);
  for (const m of masked.matchAll(YEARS)) {
    const year = m[1];
    const before = masked.slice(0, m.index).match(/(\S+)\s+$/)?.[1]?.toLowerCase() ?? '';
    if (asked.includes(year) || year.startsWith(answerDecade || '-') || masked.split(year).length !== 2) continue;
    const around = masked.slice(Math.max(0, m.index! - 12), m.index! + 16);
    if (new RegExp(`${year}\\s*(?:to|and|until|[–-])\\s*\\d{4}|\\d{4}\\s*(?:to|and|until|[–-])\\s*${year}`).test(around)) continue; // half a range
    const decade = `${year.slice(0, 3)}0s`;
    const text = PREPOSITION.test(before) ? `the ${decade}` : DETERMINER.test(before) ? decade : '';
    if (!text || masked.includes(decade)) continue;
    const question = d.question.slice(0, m.index) + text + d.question.slice(m.index! + 4);
    return { ...d, question, operations: [...d.operations, { op: 'blur_date', detail: `${year} → ${text}` }] };
  }
  return d;
}

const PREPOSITION = /^(in|from|to|until|till|since|by|during|before|after|between|around|of|and)$/;
const DETERMINER = /^(a|an|the|her|his|its|their|our|[\p{L}]+['’]s)$/u;

/** Counts in the added text become "about N" (one significant figure). */
function blurNumbers(d: QuestionDraft, asked: string): QuestionDraft {
  const ops = [...d.operations];
  const question = d.question.replace(/(?<![\d.,\p{L}])(\d{1,3}(?:,\d{3})+|\d{2,})(?=\s+\p{Ll})/gu, (raw) => {
    const n = Number(raw.replace(/,/g, ''));
    if (raw === d.answer || asked.includes(raw) || (n >= 1000 && n <= 2039 && !raw.includes(','))) return raw;
    const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(n)));
    const rounded = Math.round(n / magnitude) * magnitude;
    if (rounded === n) return raw;
    const text = `about ${rounded.toLocaleString('en-US')}`;
    ops.push({ op: 'blur_number', detail: `${raw} → ${text}` });
    return text;
  });
  return { ...d, question, operations: ops };
}
