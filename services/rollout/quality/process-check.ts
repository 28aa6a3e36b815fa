import type { Step } from '../../platform/generated/records.ts';
import { choiceOptions, EARLIER, FEWER, FULL_DATE, isYesNo, LATER, MORE, NATIONALITY, pairedEntities } from '../agent/extract.ts';
import { askedPair, asksForEnd, attributeTerms, containsPhrase, leadYear, normalizeForMatch, speaksOf, titleIsAbout } from './attribute.ts';
import { operands, trajectoryEvidence, type Span, type TrajectoryEvidence } from './evidence.ts';

/**
 * The process check before SFT: a trajectory is kept only when it is right for the right reason. Its answer —
 * or every operand of the computation that produced it — must come from a tool response sentence about the
 * asked attribute (and, for a keyed operand, about that entity); it must not search for its own answer before
 * working it out; the pages its final thought cites must be pages it used. A correct answer reached by a
 * coin flip, by comparing birthdays for a question about titles, or by a lucky span is not a sample to imitate.
 */
export type ProcessLabel =
  | 'grounded'
  | 'no_answer'
  | 'searched_for_answer'
  | 'operand_unsupported'
  | 'comparison_unsupported'
  | 'choice_unsupported'
  | 'yes_no_unsupported'
  | 'answer_not_in_tools'
  | 'answer_off_attribute'
  | 'partial_evidence'
  | 'answer_only_in_name'
  | 'answer_truncated'
  | 'wandered_after_answer'
  | 'hop_skipped'
  | 'cites_unused_page'
  | 'duplicate_sample'
  | 'judge_unsound';

export interface ProcessVerdict {
  grounded: boolean;
  label: ProcessLabel;
  detail: string;
  /** For a grounded verdict: the evidence sentences, normalised (two samples with the same answer and key are one). */
  evidenceKey?: string;
}

export interface ProcessInput {
  question: string;
  prediction: string;
  steps: Step[];
  /** A synthesized multi-hop question's evidence: each statement's page must be read (or the statement seen). */
  hops?: Array<{ doc_id: string; statement: string }>;
}

const NUMBER_ANSWER = /^[\d.,]+$/;

/** The sentence with the page's own title taken out (its disambiguation aside). */
function withoutName(sentence: string, title: string): string {
  const name = title.replace(/\s*\([^)]*\)\s*$/, '').trim();
  return name ? sentence.split(name).join(' ') : sentence;
}

/** "an At Will Radio podcast": the answer "Will Radio" is the tail of a longer capitalised name (mid-sentence). */
function insideLongerName(sentence: string, answer: string): boolean {
  const at = sentence.toLowerCase().indexOf(answer.toLowerCase());
  if (at <= 0) return false;
  const before = sentence.slice(0, at);
  const previous = /(\S+)\s+$/.exec(before);
  if (!previous || !/^[A-Z][\p{L}'’.-]*$/u.test(previous[1])) return false;
  return /[\p{L}\d,;:"“)]\s+\S+\s+$/u.test(before); // the capitalised word does not open the sentence
}

function verdict(label: ProcessLabel, detail: string): ProcessVerdict {
  return { grounded: label === 'grounded', label, detail };
}

function cite(span: Span): string {
  return `step ${span.step} ${span.source ? `"${span.source}"` : span.tool}: ${span.sentence.slice(0, 160)}`;
}

function about(span: Span, name: string): boolean {
  return titleIsAbout(span.source, name);
}

function mentions(span: Span, name: string): boolean {
  return about(span, name) || containsPhrase(span.sentence, name);
}

function hasNumber(sentence: string, value: string, countOnly: boolean): boolean {
  const text = countOnly ? sentence.replace(FULL_DATE, ' ') : sentence;
  return normalizeForMatch(text).includes(` ${normalizeForMatch(value).trim()} `);
}

/** Spans that give `value` for the asked attribute (and for `key`, when the operand names its entity). */
function operandSupport(evidence: TrajectoryEvidence, value: string, key: string | undefined, attribute: string[], dateComparison: boolean): Span | undefined {
  const isYear = /^(1\d{3}|20\d{2})$/.test(value);
  // a page's opening dates its subject: its first year is the start (birth, founding), the year after the dash the end
  const leadDate = (s: Span) => dateComparison && isYear && s.lead && leadYear(s.sentence, asksForEnd(attribute)) === Number(value);
  return evidence.spans.find((s) => hasNumber(s.sentence, value, !dateComparison) && (!key || about(s, key)) && (speaksOf(s.sentence, attribute) || leadDate(s)));
}

function sameAnswer(a: string, b: string): boolean {
  return normalizeForMatch(a) === normalizeForMatch(b);
}

/** Deterministic process check of one trajectory (no model). */
export function checkProcess(input: ProcessInput): ProcessVerdict {
  const { question, steps } = input;
  const prediction = input.prediction.trim();
  if (!prediction) return verdict('no_answer', 'empty prediction');
  const evidence = trajectoryEvidence(steps);
  const inQuestion = containsPhrase(question, prediction);

  for (const call of evidence.calls.filter((c) => c.tool === 'search' || c.tool === 'google_scholar')) {
    const raw = call.args.query;
    for (const q of (Array.isArray(raw) ? raw : [raw]).map((x) => String(x ?? ''))) {
      if (!inQuestion && sameAnswer(q, prediction)) return verdict('searched_for_answer', `step ${call.step} searches "${q}", the final answer, before it is worked out`);
      if (/^\s*[\d.,]+\s*$/.test(q)) return verdict('searched_for_answer', `step ${call.step} searches the bare number "${q}"`);
    }
  }

  const visitedDocs = new Set(evidence.calls.filter((c) => c.tool === 'visit').flatMap((c) => [c.args.url].flat()).map((u) => String(u).replace(/^local:\/\/doc\//, '')));
  const seen = steps.map((s) => s.tool_response).join('\n');
  const skipped = (input.hops ?? []).find((h) => !visitedDocs.has(h.doc_id) && !containsPhrase(seen, h.statement));
  if (skipped) return verdict('hop_skipped', `never read the page that links the question to its answer: "${skipped.statement.slice(0, 160)}"`);

  // "Among A, B, C and D, who was born first?": the scripted policy compares two at most, so no sound sample
  if (/^\s*(?:among|of|between)\b[^?]*,[^?]*\band\b[^?]*,\s*(?:who|which)\b/i.test(question) && (EARLIER.test(question) || LATER.test(question) || MORE.test(question) || FEWER.test(question))) {
    const keys = evidence.computations.flatMap((c) => operands(c.code).map((o) => o.key ?? ''));
    const names = question.replace(/,\s*(?:who|which)\b.*$/i, '').replace(/^\s*(?:among|of|between)\s+/i, '').replace(/^(?:[a-z]+\s+)+/, '').split(/\s*,\s*|\s+and\s+/).filter(Boolean);
    const missing = names.filter((n) => !keys.some((k) => containsPhrase(k, n) || containsPhrase(n, k)));
    if (missing.length) return verdict('comparison_unsupported', `compares ${keys.filter(Boolean).join(', ') || 'nothing'} but not ${missing.join(', ')}`);
  }
  const options = choiceOptions(question);
  const predictionTerms = new Set(normalizeForMatch(prediction).trim().split(' '));
  const option = options?.find(
    (o) => sameAnswer(o, prediction) || containsPhrase(prediction, o) || containsPhrase(o, prediction) || normalizeForMatch(o).trim().split(' ').every((t) => predictionTerms.has(t)),
  );
  const yesNo = isYesNo(question) && /^(yes|no)$/i.test(prediction);
  const dateComparison = EARLIER.test(question) || LATER.test(question);
  const comparison = dateComparison || MORE.test(question) || FEWER.test(question);
  const used: Span[] = [];

  // a computation that printed the answer: every operand must be grounded
  const computation = [...evidence.computations].reverse().find((c) => c.stdout && (containsPhrase(c.stdout, prediction) || (option !== undefined && containsPhrase(c.stdout, option))));
  if (computation) {
    const attribute = attributeTerms(question, options ?? [], { names: !options });
    const ops = operands(computation.code).filter((o) => !['0', '1'].includes(o.value));
    if (ops.length === 0) return verdict('operand_unsupported', `step ${computation.step} computes the answer from no value found by a tool`);
    for (const op of ops) {
      const span = operandSupport(evidence, op.value, op.key, attribute, dateComparison);
      if (!span) return verdict('operand_unsupported', `operand ${op.key ? `${op.key} = ` : ''}${op.value} of step ${computation.step} is not stated by any tool response about ${attribute.join(' ') || 'the asked attribute'}`);
      used.push(span);
    }
  } else if (options && option) {
    if (comparison) return verdict('comparison_unsupported', `answers a comparison of ${options.join(' and ')} without computing it from values found by a tool`);
    const attribute = attributeTerms(question, options, { names: false });
    const span = evidence.spans.find((s) => mentions(s, option) && speaksOf(s.sentence, attribute));
    if (!span) return verdict('choice_unsupported', `no tool response says ${option} is ${attribute.join(' ') || 'what was asked'}`);
    used.push(span);
  } else if (yesNo) {
    const pair = pairedEntities(question);
    if (!pair) return verdict('yes_no_unsupported', 'the question names no pair of entities to compare');
    const nationality = /nationality|country|from the same/i.test(question);
    const attribute = attributeTerms(question, pair, { names: false }).filter((t) => !['both', 'same', 'also'].includes(t));
    for (const entity of pair) {
      const span = evidence.spans.find((s) => about(s, entity) && (nationality ? NATIONALITY.test(s.sentence) : speaksOf(s.sentence, attribute)));
      if (!span) return verdict('yes_no_unsupported', `no page about ${entity} read that says anything about ${nationality ? 'its nationality' : attribute.join(' ') || 'the asked property'}`);
      used.push(span);
    }
  } else {
    const attribute = attributeTerms(question, [prediction], { names: true });
    // pages read before search snippets: the evidence a careful reader would cite
    const mentioning = evidence.spans.filter((s) => containsPhrase(s.sentence, prediction)).sort((a, b) => Number(b.tool === 'visit') - Number(a.tool === 'visit'));
    if (mentioning.length === 0) return verdict('answer_not_in_tools', `"${prediction}" appears in no tool response`);
    // a number inside a name ("Hellbilly Deluxe 2") is not a stated value
    const asksDate = /\b(year|when|date|day)\b/i.test(question);
    const asksCount = /\bhow many\b/i.test(question);
    const stated = (s: Span) => {
      let text = withoutName(asksDate ? s.sentence : s.sentence.replace(FULL_DATE, ' '), s.source);
      if (asksCount) text = text.replace(/(?:\bNo\.|#|\bnumber)\s*\d+/gi, ' '); // "World No. 1", "#42": a rank, not a count
      return containsPhrase(text, prediction);
    };
    const containing = NUMBER_ANSWER.test(prediction) ? mentioning.filter(stated) : mentioning;
    if (containing.length === 0) return verdict('answer_only_in_name', `"${prediction}" appears only inside a name, a date or a rank (e.g. ${cite(mentioning[0])})`);
    const whole = NUMBER_ANSWER.test(prediction) ? containing : containing.filter((s) => !insideLongerName(s.sentence, prediction));
    if (whole.length === 0) return verdict('answer_truncated', `"${prediction}" is only ever part of a longer name (e.g. ${cite(containing[0])})`);
    const span = attribute.length === 0 ? whole[0] : whole.find((s) => speaksOf(s.sentence, attribute));
    if (!span) return verdict('answer_off_attribute', `"${prediction}" appears only in sentences that do not speak of ${attribute.join(' ')} (e.g. ${cite(containing[0])})`);
    used.push(span);
    // "What nationality were A and B?", "Which duo composed for A and wrote lyrics for B?": shown for each, not for one
    const shared = askedPair(question);
    for (const entity of shared ?? []) {
      const forEntity = whole.find((s) => about(s, entity) || containsPhrase(s.sentence, entity));
      if (!forEntity) return verdict('partial_evidence', `the answer is shown for one of ${shared!.join(' and ')}, never for ${entity}`);
      if (!used.includes(forEntity)) used.push(forEntity);
    }
  }

  // a careful researcher stops once the evidence is in hand; one more look (a check) is fine, a wander is not
  const lastEvidence = Math.max(computation?.step ?? -1, ...used.map((s) => s.step));
  const after = evidence.calls.filter((c) => c.step > lastEvidence);
  if (after.length > 1) return verdict('wandered_after_answer', `${after.length} tool calls after the evidence was in hand (step ${lastEvidence}): ${after.map((c) => c.tool).join(', ')}`);

  const final = steps[steps.length - 1]?.thought ?? '';
  const usedSources = new Set(used.map((s) => s.source));
  const compared = options ?? (yesNo ? pairedEntities(question) ?? [] : []);
  // a cited page must have given evidence, be about a compared entity, or be the hop that leads to an evidence page
  const subjects = [...usedSources].map((t) => t.replace(/\s*\([^)]*\)\s*$/, '')).filter(Boolean);
  const leadsToEvidence = (title: string) => evidence.spans.some((s) => s.source === title && subjects.some((subject) => subject !== title && containsPhrase(s.sentence, subject)));
  for (const [, title] of final.matchAll(/"([^"]+)"/g)) {
    if (evidence.visited.includes(title) && !usedSources.has(title) && !compared.some((name) => titleIsAbout(title, name)) && !leadsToEvidence(title)) return verdict('cites_unused_page', `the final thought cites "${title}", which gave none of the evidence`);
  }
  return { ...verdict('grounded', used.map(cite).join(' | ')), evidenceKey: [...new Set(used.map((s) => normalizeForMatch(s.sentence).trim()))].sort().join('|') };
}
