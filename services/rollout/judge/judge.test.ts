import { describe, expect, it } from 'vitest';
import type { LlmClient } from '../../platform/llm/types.ts';
import { lexicalJudge, llmJudge } from './judge.ts';
import { exactMatch, normalizeAnswer, tokenF1 } from './normalize.ts';

describe('SQuAD-style normalisation', () => {
  it('lower-cases, drops punctuation, articles and extra spaces', () => {
    expect(normalizeAnswer('  The  Eiffel-Tower, in PARIS! ')).toBe('eiffel tower in paris');
    expect(normalizeAnswer('An apple a day')).toBe('apple day');
    expect(normalizeAnswer('Chrétien')).toBe('chretien');
  });

  it('exact match compares normalised strings', () => {
    expect(exactMatch('the Seven Days Battles', 'Seven Days Battles.')).toBe(1);
    expect(exactMatch('Seven Days', 'Seven Days Battles')).toBe(0);
  });

  it('token F1 counts overlapping tokens with multiplicity', () => {
    expect(tokenF1('Jean-Loup Chrétien', 'Jean-Loup Jacques Marie Chrétien')).toBeCloseTo((2 * 1 * 0.6) / 1.6, 5);
    expect(tokenF1('x y y', 'y z')).toBeCloseTo((2 * (1 / 3) * 0.5) / (1 / 3 + 0.5), 5);
    expect(tokenF1('', 'x')).toBe(0);
    expect(tokenF1('nothing shared', 'other words')).toBe(0);
  });

  it('yes/no only scores on an exact agreement', () => {
    expect(tokenF1('yes', 'no')).toBe(0);
    expect(tokenF1('yes it is', 'yes')).toBe(0);
    expect(tokenF1('Yes', 'yes')).toBe(1);
  });
});

describe('judges', () => {
  it('lexical judge: correct on EM or F1 over the threshold, binary or F1 reward', async () => {
    const binary = lexicalJudge({ f1Threshold: 0.8, reward: 'binary' });
    expect((await binary.judge({ question: 'q', reference: 'Ed Wood', prediction: 'ed wood' })).reward).toBe(1);
    const partial = await binary.judge({ question: 'q', reference: 'Edward Davis Wood Jr', prediction: 'Ed Wood' });
    expect(partial.judgement.correct).toBe(false);
    expect(partial.reward).toBe(0);
    const f1 = lexicalJudge({ f1Threshold: 0.3, reward: 'f1' });
    const scored = await f1.judge({ question: 'q', reference: 'Edward Wood Jr', prediction: 'Edward Wood' });
    expect(scored.judgement.correct).toBe(true);
    expect(scored.reward).toBeCloseTo(0.8, 5);
    expect((await binary.judge({ question: 'q', reference: 'x', prediction: '' })).judgement.correct).toBe(false);
  });

  it('LLM judge takes the model verdict and still records EM/F1', async () => {
    const usage = { model: 'm', endpoint: '', prompt_template_hash: '', input_tokens: 5, output_tokens: 2, calls: 1, cached_calls: 0, cost_usd: 0 };
    const client = {
      model: 'm',
      async chat() {
        throw new Error('unused');
      },
      async structured<T>() {
        return { value: { correct: true, rationale: 'alias' } as T, response: { content: '', tool_calls: [], finish_reason: 'stop', model: 'm', usage, cached: false } };
      },
      async close() {},
    } satisfies LlmClient;
    const result = await llmJudge(client).judge({ question: 'q', reference: 'NYC', prediction: 'New York City' });
    expect(result.judgement).toMatchObject({ kind: 'llm', correct: true, em: 0 });
    expect(result.reward).toBe(1);
    expect(result.llm?.input_tokens).toBe(5);
  });
});
