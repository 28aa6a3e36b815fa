import { z } from 'zod';
import type { Cluster, Evidence } from '../platform/generated/records.ts';
import type { LlmClient } from '../platform/llm/types.ts';
import { sha256 } from '../platform/records.ts';
import { STYLES, type QuestionDraft, type QuestionStrategy } from './draft.ts';

/** The most statements a cluster lists; evidence numbers are bounded by the listing actually shown. */
const MAX_STATEMENTS = 64;

/**
 * Bounded lists and strings: a grammar-constrained reply always fits the budget sized from the schema. Evidence
 * numbers are bounded by the statements listed, so the grammar can only cite a statement that exists.
 */
export function llmQuestionsSchema(maxQuestions = STYLES.length, statements = MAX_STATEMENTS) {
  return z.object({
    questions: z
      .array(
        z.object({
          style: z.enum(['factual', 'numeric', 'multi_hop', 'synthesis']),
          question: z.string().min(10).max(240),
          answer: z.string().min(1).max(80),
          evidence: z.array(z.number().int().min(1).max(Math.max(1, statements))).min(1).max(4),
          operations: z.array(z.object({ op: z.enum(['describe_entity', 'merge_entities', 'blur_date', 'blur_number']), detail: z.string().max(80) })).max(2).default([]),
          hidden: z.array(z.string().max(80)).max(3).default([]),
        }),
      )
      .max(maxQuestions),
  });
}

const SYSTEM = [
  'You write hard research questions from a small knowledge graph: entities with numbered statements.',
  `Return JSON {"questions": [...]} with up to one question per style: ${STYLES.join(', ')}.`,
  'factual: one fact looked up; numeric: needs a computation (difference, sum, ratio) over stated numbers; multi_hop: needs a',
  'bridge entity first; synthesis: combines statements of several entities (comparison, ranking).',
  'Each item: "style", "question", "answer" (short: a name, a number or a year), "evidence" (the numbers of the statements that',
  'support the answer), "operations" (obfuscations applied: describe_entity = name replaced by a description, merge_entities =',
  'two similar entities merged into a candidate set, blur_date = exact date made vague, blur_number = number made approximate,',
  'each with a short "detail" saying what changed, e.g. "1874 → the 1870s"), "hidden" (the names the question hides: the bridge',
  'entity of a multi_hop question, an entity replaced by a description). The answer must follow from the evidence statements',
  'alone and must not appear in the question. Every question is checked before it is kept and dropped when: it is not one',
  'grammatical question ending in "?"; it leaves template text or an undefined placeholder; it cuts or alters an entity name;',
  'a blurred date or number sits in the clause that carries the answer; the question word does not fit the answer (how many →',
  'a number, which year → a year, who → a person); it names the answer or a hidden entity; a computed answer uses a value the',
  'question does not refer to (say what each year is the year of: "after X was founded", not "the year in which X is …").',
].join(' ');

export const llmQuestionsTemplateHash = sha256(`fas-questions-v2\n${SYSTEM}`).slice(0, 16);

/** Questions written by a model over the cluster's statements; the stage checks them like template questions. */
export class LlmQuestionStrategy implements QuestionStrategy {
  readonly name = 'llm' as const;

  constructor(
    private readonly client: LlmClient,
    private readonly maxQuestions = STYLES.length,
  ) {}

  async propose(cluster: Cluster, _random: () => number, signal?: AbortSignal): Promise<QuestionDraft[]> {
    const numbered: Evidence[] = cluster.entities
      .flatMap((e) => e.statements.map((statement, i) => ({ entity_id: e.entity_id, statement, doc_id: e.statement_doc_ids[i] || e.doc_ids[0] || '' })))
      .slice(0, MAX_STATEMENTS);
    const listing = cluster.entities
      .map((e) => ({ e, rows: numbered.flatMap((n, i) => (n.entity_id === e.entity_id ? [`  [${i + 1}] ${n.statement}`] : [])) }))
      .filter(({ rows }) => rows.length > 0)
      .map(({ e, rows }) => `Entity: ${e.name}\n${rows.join('\n')}`)
      .join('\n\n');
    const { value, response } = await this.client.structured({
      purpose: 'fas',
      schema: llmQuestionsSchema(this.maxQuestions, numbered.length),
      schemaName: 'fas_questions',
      promptTemplateHash: llmQuestionsTemplateHash,
      temperature: 0.7,
      signal,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `${cluster.shared_attribute ? `Shared attribute: ${cluster.shared_attribute}\n\n` : ''}${listing}` },
      ],
    });
    return value.questions.map((q, i) => {
      const evidence = q.evidence.map((n) => numbered[n - 1]).filter((e): e is Evidence => !!e);
      return {
        style: q.style,
        question: q.question.trim(),
        answer: q.answer.trim(),
        evidence,
        entityIds: [...new Set(evidence.map((e) => e.entity_id))],
        operations: q.operations,
        hidden: q.hidden,
        hops: Math.max(1, new Set(evidence.map((e) => e.entity_id)).size),
        // the model's usage is counted once per cluster, on its first question
        llm: i === 0 ? { ...response.usage, prompt_template_hash: llmQuestionsTemplateHash } : null,
      };
    });
  }
}
