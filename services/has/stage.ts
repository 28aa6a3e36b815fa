import { z } from 'zod';
import type { HasSample, LlmUsage, Step, Trajectory } from '../platform/generated/records.ts';
import { errorMessage, isRetriable, PoisonRecordError } from '../platform/errors.ts';
import { addUsage, type LlmClient } from '../platform/llm/types.ts';
import { contentId } from '../platform/records.ts';
import { defineStage, type OutputRecord, type StageContext } from '../platform/runtime/stage.ts';
import { candidateKey, realCandidate, scriptedCandidates, type Candidate } from './candidates.ts';
import { judgeSteps } from './judge-step.ts';
import { llmCandidates } from './llm-candidates.ts';
import { stepSampleText, trajectoryDecisionText, type Decision } from './render.ts';

const config = z.object({
  /** Options per decision, the real action included. */
  HAS_OPTIONS: z.coerce.number().int().min(2).max(8).default(4),
  /** scripted: perturb the real call (no model); llm: ask the policy model for alternatives. */
  HAS_CANDIDATES: z.enum(['scripted', 'llm']).default('scripted'),
  HAS_MAX_STEPS: z.coerce.number().int().min(1).max(256).default(16),
  HAS_MAX_RESPONSE_CHARS: z.coerce.number().int().min(100).default(1200),
});
type Config = z.infer<typeof config>;
type State = { llm?: LlmClient };

/**
 * Higher-order action synthesis (AgentFounder): every tool-call step of a judged rollout becomes a
 * multiple-choice decision — N options (the real think+call among N−1 alternatives), "I will choose option k",
 * the real tool response, and whether that choice led toward the answer. It reads fw.rollout.trajectories —
 * every judged rollout, kept or not — because the contrast needs both the steps that worked and the ones
 * that did not; the SFT topic alone would make nearly every judgement "correct".
 * Outputs: one fw.has.samples record per decision, and one CPT text per trajectory (the chain of decisions).
 */
export const hasStage = defineStage<Config, State, 'fw.rollout.trajectories'>({
  name: 'has',
  version: '1.0.0',
  description: 'Recasts each rollout step as a multiple-choice decision with a judgement (fw.rollout.trajectories → fw.has.samples, fw.cpt.samples).',
  inputs: ['fw.rollout.trajectories'],
  outputs: ['fw.has.samples', 'fw.cpt.samples'],
  config,
  async setup(ctx) {
    return ctx.config.HAS_CANDIDATES === 'llm' ? { llm: await ctx.llm() } : {};
  },
  async process(record, ctx) {
    const t = record.value;
    if (!Array.isArray(t.steps)) throw new PoisonRecordError(`trajectory ${t.id} has no steps array`);
    const steps = t.steps.filter((s) => s.tool_call).slice(0, ctx.config.HAS_MAX_STEPS);
    if (steps.length === 0) return [ctx.drop('no_tool_steps', t.id, t.termination)];
    const judgements = judgeSteps(t);
    const decisions: Decision[] = [];
    const out: OutputRecord[] = [];
    let usage: LlmUsage | null = null;
    for (const step of steps) {
      const { candidates, llm } = await alternatives(t, step, ctx);
      if (llm) usage = addUsage(usage, llm);
      if (candidates.length === 0) {
        out.push(ctx.drop('no_alternatives', contentId('has', t.id, step.index), `step ${step.index}`, [t.id]));
        continue;
      }
      const decision = placeRealOption(t, step, candidates, judgements.get(step.index)!, ctx.random(`${t.id}:${step.index}:position`));
      decisions.push(decision);
      out.push({ topic: 'fw.has.samples', value: hasSample(t, decision, llm ?? null, ctx) });
    }
    if (decisions.length === 0) return out;
    const text = trajectoryDecisionText(t, decisions, ctx.config.HAS_MAX_RESPONSE_CHARS);
    out.push(ctx.cpt({ origin: 'has', text, key: [t.id, ctx.config.HAS_OPTIONS, ctx.config.HAS_CANDIDATES], parents: [t.id], sourceRound: t.round }));
    if (usage) ctx.logger.debug({ trajectory: t.id, calls: usage.calls }, 'has used the model');
    return out;
  },
});

async function alternatives(t: Trajectory, step: Step, ctx: StageContext<Config, State>): Promise<{ candidates: Candidate[]; llm?: LlmUsage }> {
  const wanted = ctx.config.HAS_OPTIONS - 1;
  const random = ctx.random(`${t.id}:${step.index}:candidates`);
  if (!ctx.state.llm) return { candidates: scriptedCandidates(t, step, wanted, random) };
  let reply: Awaited<ReturnType<typeof llmCandidates>>;
  try {
    reply = await llmCandidates(ctx.state.llm, t, step, wanted, ctx.signal);
  } catch (error) {
    if (isRetriable(error)) throw error; // the runtime retries with backoff
    // a model that cannot produce the JSON (small local models) should not cost the decision
    ctx.metrics.drops.inc({ stage: ctx.stage, reason: 'llm_candidates_unusable' });
    ctx.logger.warn({ trajectory: t.id, step: step.index, err: errorMessage(error) }, 'model alternatives unusable; using perturbations');
    return { candidates: scriptedCandidates(t, step, wanted, random) };
  }
  const { candidates, usage } = reply;
  const real = candidateKey(realCandidate(step));
  const distinct = [...new Map(candidates.filter((c) => candidateKey(c) !== real).map((c) => [candidateKey(c), c])).values()];
  // top up with perturbations when the model repeated itself or the real call
  const extra = distinct.length < wanted ? scriptedCandidates(t, step, wanted, random).filter((c) => !distinct.some((d) => candidateKey(d) === candidateKey(c))) : [];
  return { candidates: [...distinct, ...extra].slice(0, wanted), llm: usage };
}

function placeRealOption(t: Trajectory, step: Step, alternatives: Candidate[], judgement: Decision['judgement'], random: () => number): Decision {
  const chosen = Math.floor(random() * (alternatives.length + 1));
  const options = [...alternatives];
  options.splice(chosen, 0, realCandidate(step));
  return { stepIndex: step.index, options, chosen, response: step.tool_response, judgement };
}

function hasSample(t: Trajectory, d: Decision, llm: LlmUsage | null, ctx: StageContext<Config, State>): HasSample {
  const text = stepSampleText(t, d, ctx.config.HAS_MAX_RESPONSE_CHARS);
  return {
    ...ctx.meta(contentId('has', t.id, d.stepIndex, ctx.config.HAS_OPTIONS, ctx.config.HAS_CANDIDATES), [t.id]),
    trajectory_id: t.id,
    step_index: d.stepIndex,
    options: d.options.map((c) => JSON.stringify({ thought: c.thought, name: c.name, arguments: c.arguments })),
    chosen: d.chosen,
    judgement_correct: d.judgement.correct,
    text,
    llm,
  };
}
