import { describe, expect, it } from 'vitest';
import type { Sibling, Step } from '../queries/records.ts';
import { alignRollouts, pickPair } from './align.ts';

const step = (index: number, tool: string | null, args = '{}', answer: string | null = null): Step => ({
  index, thought: '', report: '', tool_call_name: tool, tool_call_arguments_json: tool ? args : null, tool_response: '', answer,
});
const rollout = (id: string, correct: boolean, steps: Step[]): Sibling => ({
  id, rollout_index: 0, reward: correct ? 1 : 0, correct, termination: 'answered', prediction: '', tool_calls: steps.length, advantage: null, in_loss: null, steps,
});

describe('accepted vs rejected alignment', () => {
  it('marks the first step where the tool calls differ (arguments compared as JSON)', () => {
    const good = rollout('a', true, [step(0, 'search', '{"query": ["Ed Wood"]}'), step(1, 'visit', '{"url":"1"}'), step(2, null, '', 'Ed Wood')]);
    const bad = rollout('b', false, [step(0, 'search', '{"query":["Ed Wood"]}'), step(1, 'visit', '{"url":"2"}')]);
    const { rows, parts, toolsPart } = alignRollouts(good, bad);
    expect(parts).toBe(1);
    expect(toolsPart).toBe(2); // step 1 visits another page; step 2 answers where the other stopped
    expect(rows.map((r) => r.same)).toEqual([true, false, false]);
    expect(rows.map((r) => r.sameTool)).toEqual([true, true, false]);
    expect(rows[2]).toMatchObject({ left: 'answer: Ed Wood', right: undefined });
  });

  it('pairs the rollout being viewed with the best of the other verdict, or nothing when all agree', () => {
    const a = rollout('a', true, []);
    const b = rollout('b', false, []);
    const c = { ...rollout('c', true, []), reward: 2 };
    expect(pickPair('b', [a, b, c])!.map((s) => s.id)).toEqual(['c', 'b']);
    expect(pickPair('a', [a, b, c])!.map((s) => s.id)).toEqual(['a', 'b']);
    expect(pickPair('a', [a, c])).toBeNull();
  });
});
