import path from 'node:path';
import { loadConfig } from '../platform/config.ts';
import { llmEnvSchema, loadLlmClientConfig, localModelPath, purposeKey } from '../platform/llm/config.ts';
import type { AnyStage } from '../platform/runtime/stage.ts';

/** The switches by which a stage picks its LLM strategy: a config key, the purpose its calls carry. */
const SWITCHES = [
  { stage: 'memory', label: 'memory', key: 'MEMORY_EXTRACTOR', purpose: 'memory', on: 'llm' },
  { stage: 'fas', label: 'fas', key: 'FAS_STRATEGY', purpose: 'fas', on: 'llm' },
  { stage: 'rollout', label: 'rollout policy', key: 'ROLLOUT_POLICY', purpose: 'rollout', on: 'llm' },
  { stage: 'rollout', label: 'judge', key: 'ROLLOUT_JUDGE', purpose: 'judge', on: 'llm' },
  { stage: 'rollout', label: 'visit summaries', key: 'VISIT_LLM_SUMMARY', purpose: 'visit_summary', on: 'true' },
  { stage: 'has', label: 'has', key: 'HAS_CANDIDATES', purpose: 'has', on: 'llm' },
] as const;

export interface LlmUse {
  stage: string;
  label: string;
  /** The strategy the stage's config selects (llm, nlp, template, scripted, exact_f1, …). */
  strategy: string;
  /** Set when the strategy is the model: the model name it asks for and the endpoint it asks. */
  model?: string;
  endpoint?: string;
}

/**
 * Which model and endpoint each stage will use under `env`, read the way the stages read it (their own config
 * schemas, the LLM client's config): what the demo header and the round manifest report.
 */
export function llmPlan(env: NodeJS.ProcessEnv, stages: readonly AnyStage[]): LlmUse[] {
  const client = loadLlmClientConfig(env);
  return SWITCHES.flatMap((s) => {
    const stage = stages.find((st) => st.name === s.stage);
    if (!stage?.config) return [];
    const parsed = stage.config.safeParse(env);
    const strategy = parsed.success ? String((parsed.data as Record<string, unknown>)[s.key]) : '(invalid config)';
    if (strategy !== s.on) return [{ stage: s.stage, label: s.label, strategy: strategy === 'false' ? 'off' : strategy }];
    if (!client) return [{ stage: s.stage, label: s.label, strategy, model: '(no model configured)' }];
    return [{ stage: s.stage, label: s.label, strategy, model: client.models[purposeKey(s.purpose)] ?? client.model, endpoint: client.baseURL }];
  });
}

/** The policy's model and endpoint for the round manifest: the rollout policy's, or the scripted policy. */
export function policyModel(env: NodeJS.ProcessEnv, stages: readonly AnyStage[]): { model: string; endpoint: string } {
  const policy = llmPlan(env, stages).find((u) => u.label === 'rollout policy');
  return policy?.endpoint ? { model: policy.model!, endpoint: policy.endpoint } : { model: env.LLM_MODEL ?? 'scripted-policy', endpoint: '' };
}

/** The round manifest's stage_models: label → "model at endpoint", for the strategies that use a model. */
export function stageModels(env: NodeJS.ProcessEnv, stages: readonly AnyStage[]): Record<string, string> {
  return Object.fromEntries(llmPlan(env, stages).filter((u) => u.model).map((u) => [u.label, u.endpoint ? `${u.model} at ${u.endpoint}` : u.model!]));
}

/** One line per stage for a run's header, e.g. `memory: smollm2-135m-instruct at http://127.0.0.1:18080/v1 (embedded …)`. */
export function describeLlmPlan(env: NodeJS.ProcessEnv, stages: readonly AnyStage[]): string {
  const uses = llmPlan(env, stages);
  if (!uses.length) return '';
  const local = loadLlmClientConfig(env)?.provider === 'local' ? ` (embedded: ${path.basename(localModelPath(loadConfig(llmEnvSchema, env)))})` : '';
  const width = Math.max(...uses.map((u) => u.label.length));
  return uses.map((u) => `  ${`${u.label}:`.padEnd(width + 1)} ${u.endpoint ? `${u.model} at ${u.endpoint}${local}` : (u.model ?? u.strategy)}`).join('\n');
}
