import { z } from 'zod';
import type { Question } from '../platform/generated/records.ts';
import type { LlmClient } from '../platform/llm/types.ts';
import { sha256 } from '../platform/records.ts';
import type { ActionDraft, ActionStrategy } from './action-strategy.ts';
import { norm } from './gate/text.ts';

const PLANNING = [
  'You plan how a careful researcher with a web search tool would approach a question, before answering it.',
  'Return JSON {"perspectives": [...]} with exactly the number of perspectives asked for, each a different way in:',
  '"name" (a short kebab-case label such as entity-first, constraint-first, timeline, verification), "view" (one or two',
  'sentences: what to establish first and why) and "first_action" (the first tool call: {"tool": "search" or "visit", "input": the',
  'query or the page address}).',
  'Do not state or guess the answer.',
].join(' ');

const REASONING = [
  'You write the reasoning a careful researcher follows to answer a question from the evidence statements given.',
  'Return JSON {"steps": [...], "preliminary_answer": "...", "check": "...", "final_answer": "..."}: "steps" decompose the',
  'question into sub-questions, each answered from one evidence statement (quote the value it gives); "preliminary_answer"',
  'is what the first step alone suggests; "check" verifies it against every step (say what changes, if anything);',
  '"final_answer" is the answer, exactly as short as a name, a number or a year.',
].join(' ');

export const planningTemplateHash = sha256(`fas-planning-v1\n${PLANNING}`).slice(0, 16);
export const reasoningTemplateHash = sha256(`fas-reasoning-v1\n${REASONING}`).slice(0, 16);

// Every list and string is bounded and every shape is one a grammar can force (no regex): a constrained reply
// always parses and fits the completion budget the client sizes from the schema.
export const planningSchema = (k: number) =>
  z.object({
    perspectives: z
      .array(
        z.object({
          name: z.string().min(2).max(40),
          view: z.string().min(10).max(600),
          first_action: z.object({ tool: z.enum(['search', 'visit']), input: z.string().min(1).max(160) }),
        }),
      )
      .length(k, `exactly ${k} perspectives`),
  });

/** The final answer must be the question's: the model explains the known answer, it does not get to change it. */
export const reasoningSchema = (answer: string) =>
  z.object({
    steps: z.array(z.string().min(5).max(600)).min(1).max(8),
    preliminary_answer: z.string().min(1).max(200),
    check: z.string().min(5).max(600),
    // const: a grammar-constrained model writes the answer itself; other servers are checked leniently
    final_answer: z
      .string()
      .max(200)
      .refine((a) => norm(a) === norm(answer), `final_answer must be the question's answer ("${answer}")`)
      .meta({ const: answer }),
  });

const evidenceListing = (q: Question, names: Map<string, string>) => q.evidence.map((e, i) => `[${i + 1}] (${names.get(e.entity_id) ?? e.entity_id}) ${e.statement}`).join('\n');

/** Planning perspectives and reasoning actions written by the model (structured output: retried on a bad reply, then the cluster is dead-lettered). */
export class LlmActions implements ActionStrategy {
  readonly name = 'llm' as const;

  constructor(private readonly client: LlmClient) {}

  async planning(q: Question, _names: Map<string, string>, k: number, _random: () => number, signal?: AbortSignal): Promise<ActionDraft> {
    const { value, response } = await this.client.structured({
      purpose: 'fas',
      schema: planningSchema(k),
      schemaName: 'fas_planning',
      promptTemplateHash: planningTemplateHash,
      temperature: 0.7,
      signal,
      messages: [
        { role: 'system', content: PLANNING },
        { role: 'user', content: `Perspectives: ${k}\nQuestion: ${q.question}` },
      ],
    });
    const items = value.perspectives.map((p, i) => `Perspective ${i + 1} (${p.name}): ${p.view} First action: ${p.first_action.tool}(${JSON.stringify(p.first_action.input)})`);
    return { items, text: [`Question: ${q.question}`, '', ...items].join('\n'), preliminary: '', final: '', llm: { ...response.usage, prompt_template_hash: planningTemplateHash } };
  }

  async reasoning(q: Question, names: Map<string, string>, _preliminary: string, signal?: AbortSignal): Promise<ActionDraft> {
    const { value, response } = await this.client.structured({
      purpose: 'fas',
      schema: reasoningSchema(q.answer),
      schemaName: 'fas_reasoning',
      promptTemplateHash: reasoningTemplateHash,
      temperature: 0.3,
      signal,
      messages: [
        { role: 'system', content: REASONING },
        { role: 'user', content: `Question: ${q.question}\nAnswer: ${q.answer}\nEvidence:\n${evidenceListing(q, names)}` },
      ],
    });
    const items = value.steps.map((s, i) => `Step ${i + 1}: ${s}`);
    const text = [`Question: ${q.question}`, '', 'Decomposition:', ...items, '', `Preliminary answer: ${value.preliminary_answer}`, `Check against every step: ${value.check}`, `Final answer: ${value.final_answer}`].join('\n');
    return { items, text, preliminary: value.preliminary_answer, final: value.final_answer, llm: { ...response.usage, prompt_template_hash: reasoningTemplateHash } };
  }
}
