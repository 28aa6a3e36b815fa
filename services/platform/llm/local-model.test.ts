import { describe, expect, it } from 'vitest';
import { taggedToolCalls, toHistory } from './local-model.ts';

describe('embedded model request mapping', () => {
  it('folds tool results into the calls they answer; the model continues its turn after them', () => {
    const history = toHistory([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'who directed Plan 9?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', function: { name: 'search', arguments: '{"query":"Plan 9"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'Plan 9 was directed by Ed Wood.' },
    ]);
    expect(history.map((h) => h.type)).toEqual(['system', 'user', 'model']);
    expect(history[2]).toEqual({ type: 'model', response: [{ type: 'functionCall', name: 'search', params: { query: 'Plan 9' }, result: 'Plan 9 was directed by Ed Wood.' }] });
    expect(toHistory([{ role: 'user', content: 'hi' }]).at(-1)).toEqual({ type: 'model', response: [] }); // an open turn to answer in
  });

  it('reads <tool_call> blocks that small models write as text', () => {
    const { calls, rest } = taggedToolCalls('Let me look.\n<tool_call>\n{"name": "search", "arguments": {"query": "Ed Wood"}}\n</tool_call>');
    expect(calls).toEqual([{ name: 'search', arguments: '{"query":"Ed Wood"}' }]);
    expect(rest).toBe('Let me look.');
    expect(taggedToolCalls('<tool_call>not json</tool_call>').calls).toEqual([]);
  });
});
