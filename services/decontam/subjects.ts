import type { CptSample, DecontamVerdict, Question, Trajectory } from '../platform/generated/records.ts';
import { contentId, type RecordMeta } from '../platform/records.ts';
import { CHECKER_VERSION, type EvalIndex, type FieldText, type Hit } from './eval-index.ts';

/**
 * The topics the decontamination gate checks: synthesized questions, every judged rollout (the SFT trajectories are
 * among them, and a checked discarded one blocks the CPT text HAS and recycle make from it) and CPT samples.
 */
export const checkedTopics = ['fw.fas.questions', 'fw.rollout.trajectories', 'fw.cpt.samples'] as const;
export type CheckedTopic = (typeof checkedTopics)[number];
export type Subject = { topic: 'fw.fas.questions'; value: Question } | { topic: 'fw.rollout.trajectories'; value: Trajectory } | { topic: 'fw.cpt.samples'; value: CptSample };

/** A record's texts field by field: question, answer, tool arguments, tool responses, thoughts, plain text. */
export function subjectFields(subject: Subject): FieldText[] {
  if (subject.topic === 'fw.cpt.samples') return [{ field: 'text', text: subject.value.text }];
  if (subject.topic === 'fw.fas.questions') {
    return [
      { field: 'question', text: subject.value.question },
      { field: 'answer', text: subject.value.answer },
    ];
  }
  const t = subject.value;
  const fields: FieldText[] = [{ field: 'question', text: t.question }, { field: 'answer', text: t.prediction }];
  for (const step of t.steps) {
    if (step.thought) fields.push({ field: 'thought', text: step.thought });
    if (step.tool_call) fields.push({ field: 'tool_arguments', text: toolArgumentsText(step.tool_call.arguments_json) });
    if (step.tool_response) fields.push({ field: 'tool_response', text: step.tool_response });
    if (step.answer) fields.push({ field: 'answer', text: step.answer });
  }
  return fields;
}

/** The string values of a tool call's arguments (a search query, a URL, code), not the JSON syntax around them. */
function toolArgumentsText(json: string): string {
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  try {
    walk(JSON.parse(json));
  } catch {
    return json;
  }
  return strings.join('\n');
}

export function questionIdOf(subject: Subject): string {
  if (subject.topic === 'fw.fas.questions') return subject.value.id;
  if (subject.topic === 'fw.rollout.trajectories') return subject.value.question_id;
  return '';
}

/** One verdict per set that hit the record (the strongest hit of each set). */
export function checkSubject(indexes: Iterable<EvalIndex>, subject: Subject): Hit[] {
  const fields = subjectFields(subject);
  const hits: Hit[] = [];
  for (const index of indexes) {
    const hit = index.check(fields);
    if (hit) hits.push(hit);
  }
  return hits;
}

export function verdictId(subjectId: string, hit: Pick<Hit, 'set' | 'setHash'>, tier: string): string {
  return contentId('verdict', subjectId, hit.set, hit.setHash, tier, CHECKER_VERSION);
}

export function verdictRecord(subject: Subject, hit: Hit, meta: (id: string, parents?: string[]) => RecordMeta): DecontamVerdict {
  return {
    ...meta(verdictId(subject.value.id, hit, hit.tier), [subject.value.id]),
    subject_id: subject.value.id,
    subject_topic: subject.topic,
    question_id: questionIdOf(subject),
    set_name: hit.set,
    set_hash: hit.setHash,
    tier: hit.tier,
    rule: hit.rule,
    field: hit.field,
    eval_item_id: hit.itemId,
    matched_ngram: hit.ngram,
    coverage: hit.coverage,
    checker_version: CHECKER_VERSION,
  };
}

export function dropDetail(hit: Hit): string {
  return `${hit.rule} on ${hit.field}: eval item ${hit.itemId}, coverage ${hit.coverage.toFixed(2)}, "${hit.ngram.slice(0, 160)}"`;
}
