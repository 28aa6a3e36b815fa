import { describe, expect, it } from 'vitest';
import { LOCAL_MODEL_NAME } from '../platform/llm/config.ts';
import { stages } from '../stages.ts';
import { describeLlmPlan, llmPlan, policyModel, stageModels } from './llm-plan.ts';

describe('which model each stage uses', () => {
  it('names the embedded model and its endpoint for every stage on the LLM strategy, the strategy otherwise', () => {
    const env = { FLYWHEEL_LLM: 'local', LLM_LOCAL_PORT: '18099', MEMORY_EXTRACTOR: 'llm', ROLLOUT_POLICY: 'llm', HAS_CANDIDATES: 'llm', LLM_MODEL_HAS: 'other-model' };
    const uses = Object.fromEntries(llmPlan(env, stages).map((u) => [u.label, u]));
    const endpoint = 'http://127.0.0.1:18099/v1';
    expect(uses.memory).toMatchObject({ strategy: 'llm', model: LOCAL_MODEL_NAME, endpoint });
    expect(uses['rollout policy']).toMatchObject({ model: LOCAL_MODEL_NAME, endpoint });
    expect(uses.has).toMatchObject({ model: 'other-model', endpoint }); // LLM_MODEL_<PURPOSE>
    expect(uses.fas).toEqual({ stage: 'fas', label: 'fas', strategy: 'template' });
    expect(uses.judge.strategy).toBe('exact_f1');
    expect(uses['visit summaries'].strategy).toBe('off');
    expect(llmPlan({ ...env, VISIT_LLM_SUMMARY: 'true' }, stages).find((u) => u.label === 'visit summaries')).toMatchObject({ model: LOCAL_MODEL_NAME, endpoint });
    expect(policyModel(env, stages)).toEqual({ model: LOCAL_MODEL_NAME, endpoint });
    expect(stageModels(env, stages)).toEqual({ memory: `${LOCAL_MODEL_NAME} at ${endpoint}`, 'rollout policy': `${LOCAL_MODEL_NAME} at ${endpoint}`, has: `other-model at ${endpoint}` });
    expect(describeLlmPlan(env, stages)).toMatch(/memory: +smollm2-135m-instruct at http:\/\/127\.0\.0\.1:18099\/v1 \(embedded: SmolLM2-135M-Instruct\.Q4_1\.gguf\)/);
  });

  it('falls back to the scripted policy when the rollout runs without a model', () => {
    expect(policyModel({ FLYWHEEL_LLM: 'none' }, stages)).toEqual({ model: 'scripted-policy', endpoint: '' });
    expect(llmPlan({ FLYWHEEL_LLM: 'none', FAS_STRATEGY: 'llm' }, stages).find((u) => u.label === 'fas')).toMatchObject({ model: '(no model configured)' });
  });
});
