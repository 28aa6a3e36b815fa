import { describe, expect, it } from 'vitest';
import { PriceBook } from './pricing.ts';

describe('PriceBook', () => {
  const book = new PriceBook({
    'gpt-4o-mini': { input: 0.15, output: 0.6, cached_input: 0.075 },
    'gpt-4o*': { input: 2.5, output: 10 },
    'qwen*': { input: 0.1, output: 0.3 },
    '*': { input: 1, output: 1 },
  });

  it('prices by exact name, then the most specific pattern, then the catch-all', () => {
    expect(book.priceOf('gpt-4o-mini')?.input).toBe(0.15);
    expect(book.priceOf('gpt-4o-2024-08-06')?.input).toBe(2.5);
    expect(book.priceOf('qwen3-30b')?.output).toBe(0.3);
    expect(book.priceOf('anything')?.input).toBe(1);
    expect(new PriceBook({}).costUsd('x', { input: 1e6, output: 1e6 })).toBe(0);
  });

  it('charges fresh, cached and output tokens at their rates (USD per million)', () => {
    expect(book.costUsd('gpt-4o-mini', { input: 1_000_000, output: 0 })).toBeCloseTo(0.15, 9);
    expect(book.costUsd('gpt-4o-mini', { input: 2000, output: 1000, cachedInput: 1000 })).toBeCloseTo((1000 * 0.15 + 1000 * 0.075 + 1000 * 0.6) / 1e6, 12);
  });
});
