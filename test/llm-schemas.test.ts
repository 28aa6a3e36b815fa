import { describe, expect, it } from 'vitest';
import { planningSchema, reasoningSchema } from '../services/fas/llm-actions.ts';
import { llmQuestionsSchema } from '../services/fas/llm.ts';
import { candidatesSchema } from '../services/has/llm-candidates.ts';
import { llmFactsSchema } from '../services/memory/extract/llm.ts';
import { maxTokensFor, unboundedPaths } from '../services/platform/llm/schema-budget.ts';
import { jsonSchemaOf } from '../services/platform/llm/structured.ts';
import { verdictSchema } from '../services/rollout/judge/judge.ts';

/** Every schema a model fills, at its default bounds: each must have a finite completion budget. */
const schemas = {
  memory_facts: llmFactsSchema(),
  fas_questions: llmQuestionsSchema(),
  fas_planning: planningSchema(3),
  fas_reasoning: reasoningSchema('Valparaiso'),
  has_candidates: candidatesSchema(3),
  verdict: verdictSchema,
};

describe('the schemas models fill are bounded (grammar-constrained replies fit their budget)', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: every list, string and key set has a bound`, () => {
      const json = jsonSchemaOf(schema);
      expect(unboundedPaths(json)).toEqual([]);
      const budget = maxTokensFor(json)!;
      expect(budget).toBeGreaterThan(0);
      expect(budget).toBeLessThanOrEqual(2048); // fits the embedded model's context with room for the prompt
    });
  }

  it('fas_reasoning: the grammar writes the known answer itself (const), the check stays lenient', () => {
    const json = jsonSchemaOf(reasoningSchema('Valparaiso')) as { properties: { final_answer: { const?: string } } };
    expect(json.properties.final_answer.const).toBe('Valparaiso');
    const reply = { steps: ['Where was she born?'], preliminary_answer: 'Valparaiso', check: 'It holds.' };
    expect(reasoningSchema('Valparaiso').safeParse({ ...reply, final_answer: 'valparaiso' }).success).toBe(true);
    expect(reasoningSchema('Valparaiso').safeParse({ ...reply, final_answer: 'Lima' }).success).toBe(false);
  });
});
