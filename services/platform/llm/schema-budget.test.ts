import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maxJsonChars, maxTokensFor, unboundedPaths } from './schema-budget.ts';
import { boundedRecord, jsonSchemaOf } from './structured.ts';

describe('schema budget', () => {
  it('bounds the characters of any reply a bounded schema admits', () => {
    const schema = jsonSchemaOf(z.object({ ok: z.boolean(), tags: z.array(z.enum(['a', 'bb'])).max(2), note: z.string().max(10) }));
    const longest = JSON.stringify({ ok: false, tags: ['bb', 'bb'], note: 'x'.repeat(10) });
    expect(maxJsonChars(schema)).toBeGreaterThanOrEqual(longest.length);
    expect(maxJsonChars(schema)).toBeLessThan(longest.length * 2);
    expect(maxTokensFor(schema)).toBeGreaterThan(longest.length / 3);
  });

  it('names what leaves a schema unbounded', () => {
    const schema = jsonSchemaOf(z.object({ list: z.array(z.string().max(5)), free: z.string(), args: z.record(z.string(), z.string().max(3)) }));
    expect(maxTokensFor(schema)).toBeUndefined();
    expect(unboundedPaths(schema)).toEqual(['list (no maxItems)', 'free (no maxLength)', expect.stringMatching(/^args \(open keys/)]);
  });

  it('bounds an object with open keys only with maxProperties and key and value lengths', () => {
    const value = z.union([z.string().max(50), z.number()]);
    expect(maxJsonChars(jsonSchemaOf(z.record(z.string().max(20), value)))).toBe(Infinity);
    const bounded = boundedRecord(z.string().max(20), value, 3);
    expect(maxJsonChars(jsonSchemaOf(bounded))).toBeLessThan(Infinity);
    expect(bounded.safeParse({ a: '1', b: 2, c: 'x', d: 4 }).success).toBe(false);
    expect(bounded.safeParse({ a: '1', b: 2 }).success).toBe(true);
  });
});
