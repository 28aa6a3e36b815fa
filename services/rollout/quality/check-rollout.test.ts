import { describe, expect, it } from 'vitest';
import { sampleValues } from '../../../test/fixtures/records.ts';
import type { Step } from '../../platform/generated/records.ts';
import type { LlmClient } from '../../platform/llm/types.ts';
import type { RolloutRun } from '../agent/loop.ts';
import { llmJudge } from '../judge/judge.ts';
import { checkRollout } from './check-rollout.ts';

const usage = { model: 'judge', prompt_template_hash: '', input_tokens: 7, output_tokens: 3, calls: 1, cached_calls: 0, cost_usd: 0 };

function judgeClient(sound: boolean, seen: string[]): LlmClient {
  return {
    model: 'judge',
    async chat() {
      throw new Error('unused');
    },
    async structured<T>(request: { schemaName?: string; messages: Array<{ content: string | null }> }) {
      seen.push(`${request.schemaName}: ${request.messages[1].content}`);
      return { value: { sound, rationale: sound ? 'looked up the year' : 'guessed from the title' } as T, response: { content: '', tool_calls: [], finish_reason: 'stop', model: 'judge', usage, cached: false } };
    },
    async close() {},
  } as unknown as LlmClient;
}

const question = { ...sampleValues()['fw.fas.questions'], question: 'In which year did Ed Wood direct Plan 9 from Outer Space?', answer: '1957', evidence: [] };
const page = 'Plan 9 from Outer Space is a 1957 science fiction film directed by Ed Wood.';
const steps: Step[] = [
  { index: 0, thought: 'I will read the film page.', report: '', tool_call: { name: 'visit', arguments_json: '{"url":"local://doc/p9"}' }, tool_response: `The useful information in local://doc/p9 (Plan 9 from Outer Space) for user goal "q" as follows:\n\nPage content:\n${page}`, answer: null, input_tokens: 0, output_tokens: 0 },
  { index: 1, thought: '"Plan 9 from Outer Space" says it is a 1957 film directed by Ed Wood.', report: '', tool_call: null, tool_response: '', answer: '1957', input_tokens: 0, output_tokens: 0 },
];
const run = (prediction: string): RolloutRun => ({ steps, prediction, termination: 'answered', calls: [], llm: null });
const judged = () => ({ judgement: { kind: 'llm', correct: true, em: 1, f1: 1, rationale: '' }, reward: 1, llm: null });

describe('process check with an LLM judge', () => {
  it('asks the judge about a grounded rollout, and its "unsound" makes the rollout judge_unsound', async () => {
    const seen: string[] = [];
    const result = judged();
    const verdict = await checkRollout(llmJudge(judgeClient(false, seen)), question, run('1957'), result);
    expect(verdict).toMatchObject({ grounded: false, label: 'judge_unsound', detail: 'guessed from the title' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^reasoning_grade: Question: In which year did Ed Wood/);
    expect(seen[0]).toContain('Tool calls: visit(Plan 9 from Outer Space)');
    expect(result.llm).toMatchObject({ input_tokens: 7, output_tokens: 3 }); // the grade's tokens are the judge's usage
  });

  it('keeps a grounded rollout the judge finds sound, and never asks about one that failed the deterministic check', async () => {
    const seen: string[] = [];
    expect(await checkRollout(llmJudge(judgeClient(true, seen)), question, run('1957'), judged())).toMatchObject({ grounded: true, label: 'grounded' });
    const ungrounded = await checkRollout(llmJudge(judgeClient(true, seen)), question, run('1958'), judged());
    expect(ungrounded.label).toBe('answer_not_in_tools');
    expect(seen).toHaveLength(1);
  });
});
