import { describe, expect, it } from 'vitest';
import { isRetriable } from '../errors.ts';
import { LlmOutputError } from './errors.ts';
import { extractJson, parseToolArguments } from './tool-args.ts';

describe('parseToolArguments', () => {
  it('accepts an object, a JSON string, lenient JSON, a fenced or double-encoded string, and nothing', () => {
    expect(parseToolArguments({ q: 'a' }, 't')).toEqual({ q: 'a' });
    expect(parseToolArguments('{"q": "a", "n": 2}', 't')).toEqual({ q: 'a', n: 2 });
    expect(parseToolArguments("{q: 'a', n: 2,}", 't')).toEqual({ q: 'a', n: 2 });
    expect(parseToolArguments('```json\n{"q": "a"}\n```', 't')).toEqual({ q: 'a' });
    expect(parseToolArguments(JSON.stringify('{"q": "a"}'), 't')).toEqual({ q: 'a' });
    expect(parseToolArguments('', 't')).toEqual({});
    expect(parseToolArguments(undefined, 't')).toEqual({});
  });

  it('rejects what is not an object with a clear, non-retriable error naming the tool', () => {
    for (const bad of ['{"q": "a"', '[1, 2]', '42', 'search for cats', 7, ['x']]) {
      let error: unknown;
      try {
        parseToolArguments(bad, 'search');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LlmOutputError);
      expect(isRetriable(error)).toBe(false);
      expect((error as Error).message).toMatch(/^tool call search: arguments/);
    }
  });
});

describe('extractJson', () => {
  it('finds the JSON in a chatty or fenced reply', () => {
    expect(extractJson('{"a": 1}')).toEqual({ a: 1 });
    expect(extractJson('Sure! Here it is:\n{"a": [1, 2]}\nHope that helps.')).toEqual({ a: [1, 2] });
    expect(extractJson('```json\n{"a": true}\n```')).toEqual({ a: true });
    expect(() => extractJson('no json at all')).toThrow(SyntaxError);
  });
});
