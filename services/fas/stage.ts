import type { Question } from '../platform/generated/records.ts';
import { contentId } from '../platform/records.ts';
import { defineStage, type OutputRecord, type StageContext, type FollowedTopic } from '../platform/runtime/stage.ts';
import { TemplateActions, type ActionStrategy } from './action-strategy.ts';
import { fasConfigSchema, type FasConfig } from './config.ts';
import { QuestionIndex } from './dedup.ts';
import { QuestionGate } from './gate/index.ts';
import type { QuestionStrategy } from './draft.ts';
import { LlmActions } from './llm-actions.ts';
import { LlmQuestionStrategy } from './llm.ts';
import { synthesize } from './synthesize.ts';
import { TemplateStrategy } from './templates.ts';

interface FasState {
  strategy: QuestionStrategy;
  actions: ActionStrategy;
  gate: QuestionGate;
  tail?: FollowedTopic;
}

/**
 * fw.memory.clusters → fw.fas.questions, fw.fas.actions, fw.cpt.samples (first-order action synthesis).
 * Per cluster: questions in up to four styles, obfuscated by atomic operations, then the question gate
 * (gate/): what fails goes to fw.drops with a `question:*` reason; the gate's near-duplicate state is
 * reloaded from fw.fas.questions. Each kept question gets a planning action (K
 * perspectives) and a reasoning action (decompose → preliminary → final), both also written as CPT text.
 */
export function createFasStage() {
  return defineStage<FasConfig, FasState, 'fw.memory.clusters'>({
    name: 'fas',
    version: '1.0.0',
    description: 'Synthesises multi-style questions with planning and reasoning actions from entity clusters (FAS).',
    inputs: ['fw.memory.clusters'],
    outputs: ['fw.fas.questions', 'fw.fas.actions', 'fw.cpt.samples'],
    config: fasConfigSchema,
    concurrency: 1,
    async setup(ctx) {
      const llm = ctx.config.FAS_STRATEGY === 'llm' ? await ctx.llm() : undefined;
      const strategy = llm ? new LlmQuestionStrategy(llm, ctx.config.FAS_LLM_MAX_QUESTIONS) : new TemplateStrategy();
      const actions = llm ? new LlmActions(llm) : new TemplateActions();
      const questions = new QuestionIndex(ctx.config.FAS_NEAR_DUP_THRESHOLD);
      const tail = ctx.config.FAS_DEDUP_RELOAD
        ? await ctx.follow('fw.fas.questions', { onValue: (q) => questions.add(q.id, q.question, `committed:${q.id}`) })
        : undefined;
      return { strategy, actions, gate: new QuestionGate(questions), tail };
    },
    async teardown(state) {
      await state?.tail?.close();
    },
    async process(record, ctx) {
      const cluster = record.value;
      const position = `${record.topic}/${record.partition}@${record.offset}`;
      const random = ctx.random(cluster.id);
      const names = new Map(cluster.entities.map((e) => [e.entity_id, e.name]));
      const candidates = await synthesize(cluster, { strategy: ctx.state.strategy, gate: ctx.state.gate, random, obfuscation: ctx.config.FAS_OBFUSCATION, position, signal: ctx.signal });
      const out: OutputRecord[] = [];
      for (const { id, draft, rejection } of candidates) {
        if (rejection) out.push(ctx.drop(rejection.reason, id, `${draft.style}: ${rejection.detail} — ${draft.question} → ${draft.answer}`, [cluster.id]));
        else out.push(...(await emit(draft, id, cluster.id, names, random, ctx)));
      }
      if (candidates.length === 0) out.push(ctx.drop('question:none', cluster.id, `${cluster.kind} cluster of ${cluster.entities.length} entities gave no question`));
      return out;
    },
  });
}

async function emit(
  draft: Awaited<ReturnType<QuestionStrategy['propose']>>[number],
  id: string,
  clusterId: string,
  names: Map<string, string>,
  random: () => number,
  ctx: StageContext<FasConfig, FasState>,
): Promise<OutputRecord[]> {
  const docIds = [...new Set(draft.evidence.map((e) => e.doc_id).filter(Boolean))];
  const question: Question = {
    ...ctx.meta(id, [clusterId, ...docIds]),
    question: draft.question,
    answer: draft.answer,
    style: draft.style,
    evidence: draft.evidence,
    entity_ids: draft.entityIds,
    operations: draft.operations,
    difficulty: draft.hops + draft.operations.length,
    cluster_id: clusterId,
    strategy: ctx.state.strategy.name,
    llm: draft.llm ?? null,
  };
  const planning = await ctx.state.actions.planning(question, names, ctx.config.FAS_PERSPECTIVES, random, ctx.signal);
  const reasoning = await ctx.state.actions.reasoning(question, names, draft.intermediate ?? draft.answer, ctx.signal);
  const planningId = contentId('action', 'planning', id);
  const reasoningId = contentId('action', 'reasoning', id);
  const cpt = (origin: string, actionId: string, text: string): OutputRecord => ctx.cpt({ origin, text, key: [actionId], parents: [actionId] });
  return [
    { topic: 'fw.fas.questions', value: question },
    {
      topic: 'fw.fas.actions',
      value: { ...ctx.meta(planningId, [id]), question_id: id, kind: 'planning', items: planning.items, preliminary_answer: '', final_answer: '', text: planning.text, llm: planning.llm },
    },
    {
      topic: 'fw.fas.actions',
      value: { ...ctx.meta(reasoningId, [id]), question_id: id, kind: 'reasoning', items: reasoning.items, preliminary_answer: reasoning.preliminary, final_answer: reasoning.final, text: reasoning.text, llm: reasoning.llm },
    },
    cpt('fas_planning', planningId, planning.text),
    cpt('fas_reasoning', reasoningId, reasoning.text),
  ];
}

export const fasStage = createFasStage();
