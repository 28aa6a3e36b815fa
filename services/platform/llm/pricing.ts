import { z } from 'zod';

/** USD per million tokens. */
export const modelPriceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  /** Price of prompt tokens the server reports as cached (defaults to `input`). */
  cached_input: z.number().min(0).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Model name (or a pattern with `*`, e.g. "gpt-4o-mini*"; "*" matches everything) → price. */
export const priceTableSchema = z.record(z.string(), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

export interface TokenCounts {
  input: number;
  output: number;
  /** Prompt tokens served from the server's prompt cache (part of `input`). */
  cachedInput?: number;
}

/** Looks a model up by exact name, then by the most specific matching pattern; unknown models cost 0. */
export class PriceBook {
  private readonly patterns: Array<{ pattern: RegExp; specificity: number; price: ModelPrice }>;

  constructor(private readonly table: PriceTable = {}) {
    this.patterns = Object.entries(table)
      .filter(([name]) => name.includes('*'))
      .map(([name, price]) => ({ pattern: globToRegExp(name), specificity: name.replace(/\*/g, '').length, price }))
      .sort((a, b) => b.specificity - a.specificity);
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.table[model] ?? this.patterns.find((p) => p.pattern.test(model))?.price;
  }

  costUsd(model: string, tokens: TokenCounts): number {
    const price = this.priceOf(model);
    if (!price) return 0;
    const cached = Math.min(tokens.cachedInput ?? 0, tokens.input);
    const fresh = tokens.input - cached;
    const usd = (fresh * price.input + cached * (price.cached_input ?? price.input) + tokens.output * price.output) / 1e6;
    return Math.round(usd * 1e9) / 1e9; // keep sums free of float dust at the nano-dollar level
  }
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
