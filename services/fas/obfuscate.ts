import type { Cluster } from '../platform/generated/records.ts';
import { evidenceOf, sentenceCase, type QuestionDraft } from './draft.ts';
import { descriptionOf, replaceName } from './spans.ts';

/**
 * WebShaper-style atomic operations that make a question harder without changing its answer, each recorded on
 * the question: describe_entity (a name becomes a description taken from another of its statements),
 * merge_entities (the entity is hidden in a two-candidate set that only its own statement separates),
 * blur_date (a year becomes its decade) and blur_number (a count becomes a rounded "about").
 */
export function obfuscate(draft: QuestionDraft, cluster: Cluster, random: () => number, probability: number): QuestionDraft {
  let d = { ...draft, evidence: [...draft.evidence], operations: [...draft.operations] };
  const roll = () => random() < probability;
  if (d.style === 'factual') {
    if (roll()) d = describeEntity(d, cluster) ?? d;
    if (!d.operations.some((o) => o.op === 'describe_entity') && roll()) d = mergeEntities(d, cluster, random) ?? d;
  }
  if (roll()) d = blurDates(d);
  if (roll()) d = blurNumbers(d);
  return d;
}

function target(d: QuestionDraft, cluster: Cluster) {
  return cluster.entities.find((e) => e.entity_id === d.entityIds[0]);
}

function describeEntity(d: QuestionDraft, cluster: Cluster): QuestionDraft | undefined {
  const e = target(d, cluster);
  if (!e || !d.question.includes(e.name)) return undefined;
  const used = new Set(d.evidence.map((x) => x.statement));
  const i = e.statements.findIndex((s) => !used.has(s) && descriptionOf(s) && !s.includes(d.answer));
  if (i < 0) return undefined;
  const description = `the ${descriptionOf(e.statements[i])}`;
  const question = replaceName(d.question, e.name, description).replace(/^the /, 'The ');
  return { ...d, question, evidence: [...d.evidence, evidenceOf(e, i)], operations: [...d.operations, { op: 'describe_entity', detail: `${e.name} → ${description}` }], hops: d.hops + 1 };
}

function mergeEntities(d: QuestionDraft, cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const e = target(d, cluster);
  if (!e || !d.question.includes(e.name)) return undefined;
  const others = cluster.entities.filter((o) => o.entity_id !== e.entity_id && o.name && !d.question.includes(o.name));
  const other = others[Math.floor(random() * others.length)];
  const used = new Set(d.evidence.map((x) => x.statement));
  const i = e.statements.findIndex((s) => !used.has(s) && s.includes(e.name) && !s.includes(d.answer));
  if (!other || i < 0) return undefined;
  const [first, second] = [e.name, other.name].sort();
  const clue = replaceName(e.statements[i], e.name, 'X').replace(/\.$/, '');
  const question = `${replaceName(d.question, e.name, 'X')} (X is whichever of ${first} and ${second} fits: "${clue}")`;
  return { ...d, question, evidence: [...d.evidence, evidenceOf(e, i)], operations: [...d.operations, { op: 'merge_entities', detail: `${e.name} ∪ ${other.name}, separated by one statement` }], hops: d.hops + 1 };
}

function blurDates(d: QuestionDraft): QuestionDraft {
  const ops = [...d.operations];
  const question = d.question.replace(/\b(1[0-9]\d\d|20[0-3]\d)\b/g, (year) => {
    if (year === d.answer || d.style === 'numeric') return year;
    const decade = `the ${year.slice(0, 3)}0s`;
    if (!ops.some((o) => o.op === 'blur_date' && o.detail.startsWith(year))) ops.push({ op: 'blur_date', detail: `${year} → ${decade}` });
    return decade;
  });
  // "in the 1870s" reads right; "On 12 November the 2000s" does not: drop a day and month left before a decade
  return { ...d, question: question.replace(/\b\d{1,2}\s+\p{Lu}\p{Ll}+\s+(the \d{3}0s)/gu, '$1').replace(/\b\p{Lu}\p{Ll}+\s+\d{1,2},\s+(the \d{3}0s)/gu, '$1'), operations: ops };
}

function blurNumbers(d: QuestionDraft): QuestionDraft {
  const ops = [...d.operations];
  const question = d.question.replace(/(?<![\d.,\p{L}])(\d{1,3}(?:,\d{3})+|\d{2,})(?=\s+\p{Ll})/gu, (raw) => {
    const n = Number(raw.replace(/,/g, ''));
    if (raw === d.answer || (n >= 1000 && n <= 2039 && !raw.includes(','))) return raw;
    const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(n)));
    const rounded = Math.round(n / magnitude) * magnitude;
    if (rounded === n) return raw;
    const text = `about ${rounded.toLocaleString('en-US')}`;
    ops.push({ op: 'blur_number', detail: `${raw} → ${text}` });
    return text;
  });
  return { ...d, question: sentenceCase(question), operations: ops };
}
