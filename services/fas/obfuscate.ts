import type { Cluster, Operation } from '../platform/generated/records.ts';
import { asQuestion, evidenceOf, sentenceCase, YEARS, type QuestionDraft } from './draft.ts';
import { descriptionOf, replaceName } from './spans.ts';

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
  if (added && roll()) d = blurDates(d, before);
  if (added && roll()) d = blurNumbers(d, before);
  return d;
}

const target = (d: QuestionDraft, cluster: Cluster) => cluster.entities.find((e) => e.entity_id === d.entityIds[0]);
const decade = (year: string) => `the ${year.slice(0, 3)}0s`;

/** A description identifies its entity only when it carries a name or a number ("the club based in Old Trafford"). */
function specific(description: string): boolean {
  const words = description.split(/\s+/);
  return words.length >= 4 && (words.slice(1).some((w) => /^\p{Lu}\p{Ll}/u.test(w)) || /\d/.test(description));
}

function describeEntity(d: QuestionDraft, cluster: Cluster): QuestionDraft | undefined {
  const e = target(d, cluster);
  if (!e || !d.question.includes(e.name)) return undefined;
  const used = new Set(d.evidence.map((x) => x.statement));
  const answerDecade = /^\d{4}$/.test(d.answer) ? d.answer.slice(0, 3) : '';
  const i = e.statements.findIndex((s, k) => {
    const description = descriptionOf(s);
    if (used.has(s) || !description || !specific(description) || !s.startsWith(e.name)) return false;
    if (s.includes(d.answer) || (answerDecade && (s.match(YEARS) ?? []).some((y) => y.startsWith(answerDecade)))) return false;
    return k >= 0;
  });
  if (i < 0) return undefined;
  const description = `the ${descriptionOf(e.statements[i])}`;
  const question = sentenceCase(replaceName(d.question, e.name, description));
  const op: Operation = { op: 'describe_entity', detail: `${e.name} → ${description}` };
  return { ...d, question, evidence: [...d.evidence, evidenceOf(e, i)], operations: [...d.operations, op], hops: d.hops + 1, hidden: [...(d.hidden ?? []), e.name] };
}

function mergeEntities(d: QuestionDraft, cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const e = target(d, cluster);
  if (!e || !d.question.includes(e.name)) return undefined;
  const others = cluster.entities.filter((o) => o.entity_id !== e.entity_id && o.name && !d.question.includes(o.name));
  const other = others[Math.floor(random() * others.length)];
  const used = new Set(d.evidence.map((x) => x.statement));
  const i = e.statements.findIndex((s) => !used.has(s) && s.startsWith(e.name) && !s.includes(d.answer) && replaceName(s, e.name, 'X').split(/\bX\b/).length === 2 && s.length <= 200);
  if (!other || i < 0) return undefined;
  const [first, second] = [e.name, other.name].sort();
  const clue = replaceName(e.statements[i], e.name, 'X').replace(/\.$/, '').replace(/["“”]/g, "'");
  const question = asQuestion(`${replaceName(d.question, e.name, 'X').replace(/\?$/, '')}, X being whichever of ${first} and ${second} fits: "${clue}"`);
  const op: Operation = { op: 'merge_entities', detail: `${e.name} ∪ ${other.name}, separated by: ${clue}` };
  return { ...d, question, evidence: [...d.evidence, evidenceOf(e, i)], operations: [...d.operations, op], hops: d.hops + 1 };
}

/** Years in the text an operation added (not in `asked`, the question before it) become their decade. */
function blurDates(d: QuestionDraft, asked: string): QuestionDraft {
  const ops = [...d.operations];
  const answerDecade = /^\d{4}$/.test(d.answer) ? decade(d.answer) : '';
  const seen = new Set<string>();
  const question = d.question.replace(YEARS, (year) => {
    const blurred = decade(year);
    if (year === d.answer || asked.includes(year) || blurred === answerDecade || seen.has(blurred) || d.question.includes(blurred)) return year;
    seen.add(blurred);
    ops.push({ op: 'blur_date', detail: `${year} → ${blurred}` });
    return blurred;
  });
  // "in the 1870s" reads right; "On 12 November the 2000s" does not: drop a day and month left before a decade
  const cleaned = question.replace(/\b(?:on\s+)?\d{1,2}\s+\p{Lu}\p{Ll}+\s+(the \d{3}0s)/giu, 'in $1').replace(/\b(?:on\s+)?\p{Lu}\p{Ll}+\s+\d{1,2},\s+(the \d{3}0s)/gu, 'in $1');
  return { ...d, question: cleaned, operations: ops };
}

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
