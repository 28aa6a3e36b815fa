import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toGbnfJsonSchema } from './gbnf-schema.ts';
import { jsonSchemaOf } from './structured.ts';

describe('toGbnfJsonSchema', () => {
  it('keeps the shape of a zod schema and drops what the grammar compiler does not know', () => {
    const schema = z.object({
      answer: z.string().min(1).describe('the answer'),
      confidence: z.number().min(0).max(1),
      kind: z.enum(['factual', 'numeric']),
      evidence: z.array(z.object({ doc: z.string() })).max(3),
      note: z.string().nullable(),
    });
    const out = toGbnfJsonSchema(jsonSchemaOf(schema)) as Record<string, any>;
    expect(out.type).toBe('object');
    expect(out.$schema).toBeUndefined();
    expect(out.properties.answer).toEqual({ type: 'string', minLength: 1, description: 'the answer' });
    expect(out.properties.confidence).toEqual({ type: 'number' });
    expect(out.properties.kind).toEqual({ enum: ['factual', 'numeric'] });
    expect(out.properties.evidence).toEqual({ type: 'array', items: { type: 'object', properties: { doc: { type: 'string' } } }, maxItems: 3 });
    expect(out.properties.note).toEqual({ type: ['string', 'null'] });
  });

  it('spells a short bounded integer range out as its values, since the grammar has no minimum or maximum', () => {
    const schema = z.object({ evidence: z.array(z.number().int().min(1).max(4)), year: z.number().int().min(0), score: z.number().int().min(0).max(1000) });
    const out = toGbnfJsonSchema(jsonSchemaOf(schema)) as Record<string, any>;
    expect(out.properties.evidence.items).toEqual({ enum: [1, 2, 3, 4] });
    expect(out.properties.year).toEqual({ type: 'integer' });
    expect(out.properties.score).toEqual({ type: 'integer' });
  });
});
