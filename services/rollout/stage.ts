import pLimit from 'p-limit';
import { PoisonRecordError } from '../platform/errors.ts';
import type { LlmClient } from '../platform/llm/types.ts';
import { defineStage, type FollowedTopic } from '../platform/runtime/stage.ts';
import { runAgent } from './agent/loop.ts';
import { llmPolicy } from './agent/llm-policy.ts';
import { scriptedPolicy } from './agent/scripted-policy.ts';
import type { Policy } from './agent/types.ts';
import { rolloutConfigSchema, type RolloutConfig } from './config.ts';
import { Corpus } from './corpus/corpus.ts';
import { groupIdFor, groupOutputs, trajectoryIdFor, type JudgedRollout } from './group.ts';
import { lexicalJudge, llmJudge, type Judge } from './judge/judge.ts';
import { RolloutMetrics } from './metrics.ts';
import { checkRollout } from './quality/check-rollout.ts';
import { SftDedupe } from './quality/sft-dedupe.ts';
import { buildToolbox } from './tools/index.ts';
import type { Toolbox } from './tools/toolbox.ts';

export interface RolloutState {
  corpus: Corpus;
  feed?: FollowedTopic;
  toolbox: Toolbox;
  policy: Policy;
  judge: Judge;
  llm?: LlmClient;
  metrics: RolloutMetrics;
  dedupe?: SftDedupe;
}

export interface RolloutDependencies {
  /** A corpus to use instead of following fw.docs (unit tests). */
  corpus?: Corpus;
}

function needsLlm(config: RolloutConfig): boolean {
  return config.ROLLOUT_POLICY === 'llm' || config.ROLLOUT_JUDGE === 'llm' || config.VISIT_LLM_SUMMARY;
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The rollout service. One question in → G rollouts, judged, grouped and written out in one transaction: every
 * trajectory (fw.rollout.trajectories), the ones rejection sampling keeps (fw.sft.trajectories), the rest
 * (fw.trajectories.discarded), the GRPO group (fw.rl.groups) and every tool call (fw.tool.calls). A question
 * is the unit of exactly-once: a crash mid-group replays the whole group under the same ids.
 */
export function createRolloutStage(deps: RolloutDependencies = {}) {
  return defineStage<RolloutConfig, RolloutState, 'fw.fas.questions'>({
    name: 'rollout',
    version: '1.0.0',
    description: 'Agent rollouts (ReAct / IterResearch) with tools over the corpus, judged, G per question, SFT selection and GRPO groups.',
    inputs: ['fw.fas.questions'],
    outputs: ['fw.rollout.trajectories', 'fw.sft.trajectories', 'fw.rl.groups', 'fw.trajectories.discarded', 'fw.tool.calls'],
    config: rolloutConfigSchema,
    async setup(ctx) {
      const config = ctx.config;
      const llm = needsLlm(config) ? await ctx.llm() : undefined;
      const corpus = deps.corpus ?? new Corpus();
      const feed = deps.corpus
        ? undefined
        : // every replica indexes the whole of fw.docs (any replica can answer any question), and what arrives later
          await ctx.follow('fw.docs', {
            groupLabel: `fw.rollout-corpus.${ctx.platform.INSTANCE_ID}`,
            deadlineMs: config.ROLLOUT_CORPUS_WAIT_MS,
            onValue: (doc) => corpus.add(doc),
            onUndecodable: (err, r) => ctx.logger.warn({ err, partition: r.partition, offset: r.offset }, 'undecodable document skipped by the corpus feed'),
          });
      const toolbox = buildToolbox(config, corpus);
      const sampling = { temperature: config.ROLLOUT_TEMPERATURE, top_p: config.ROLLOUT_TOP_P, repetition_penalty: config.ROLLOUT_REPETITION_PENALTY };
      const policy =
        config.ROLLOUT_POLICY === 'llm'
          ? llmPolicy({ client: llm!, tools: toolbox.specs, sampling, maxTokensPerCall: config.ROLLOUT_MAX_TOKENS_PER_CALL, modelVersion: config.ROLLOUT_MODEL_VERSION })
          : scriptedPolicy();
      const judgeOptions = { f1Threshold: config.ROLLOUT_JUDGE_F1_THRESHOLD, reward: config.ROLLOUT_REWARD };
      const judge = config.ROLLOUT_JUDGE === 'llm' ? llmJudge(llm!) : lexicalJudge(judgeOptions);
      ctx.logger.info({ mode: config.ROLLOUT_MODE, policy: policy.model, judge: judge.kind, g: config.ROLLOUT_G, tools: toolbox.specs.map((t) => t.name) }, 'rollout ready');
      const dedupe = config.ROLLOUT_SFT_DEDUPE ? new SftDedupe(config.ROLLOUT_SFT_DEDUPE_MAX) : undefined;
      return { corpus, feed, toolbox, policy, judge, llm, metrics: new RolloutMetrics(ctx.metrics.registry, corpus), dedupe };
    },
    async process(record, ctx) {
      const question = record.value;
      if (!question.question.trim()) throw new PoisonRecordError(`question ${question.id} has no text`);
      const { config, state } = ctx;
      const g = config.ROLLOUT_G;
      const groupId = groupIdFor(question, ctx.round, config.ROLLOUT_MODE, state.policy, g);
      const limit = pLimit(config.ROLLOUT_PARALLEL);
      const rollouts: JudgedRollout[] = await Promise.all(
        Array.from({ length: g }, (_, index) =>
          limit(async () => {
            const id = trajectoryIdFor(groupId, index);
            const session = state.policy.start({ question: question.question, rolloutIndex: index, random: ctx.random(`${question.id}:${index}`), seed: seedOf(id) });
            const run = await runAgent({
              mode: config.ROLLOUT_MODE,
              question: question.question,
              session,
              toolbox: state.toolbox,
              toolContext: { signal: ctx.signal, llm: config.VISIT_LLM_SUMMARY ? state.llm : undefined },
              budget: { maxCalls: config.ROLLOUT_MAX_CALLS, maxContextTokens: config.ROLLOUT_MAX_CONTEXT_TOKENS, timeLimitMs: config.ROLLOUT_TIME_LIMIT_MS },
            });
            if (run.termination === 'error') ctx.logger.warn({ question: question.id, rollout: index, error: run.error }, 'rollout ended in error');
            const judged = await state.judge.judge({ question: question.question, reference: question.answer, prediction: run.prediction }, ctx.signal);
            const process = judged.judgement.correct ? await checkRollout(state.judge, question, run, judged, ctx.signal) : undefined;
            state.metrics.record(config.ROLLOUT_MODE, run, judged.judgement.correct, process?.label);
            return { index, id, run, judged, process };
          }),
        ),
      );
      state.dedupe?.apply(question.id, rollouts);
      return groupOutputs(
        { question, groupId, mode: config.ROLLOUT_MODE, policy: state.policy, maxCalls: config.ROLLOUT_MAX_CALLS, sftPerQuestion: config.ROLLOUT_SFT_PER_QUESTION, rlKeepSolved: config.ROLLOUT_RL_KEEP_SOLVED, meta: ctx.meta, drop: ctx.drop },
        rollouts,
      );
    },
    async teardown(state) {
      await state?.feed?.close();
    },
  });
}

export const rolloutStage = createRolloutStage();
