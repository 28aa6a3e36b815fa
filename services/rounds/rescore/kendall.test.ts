import { describe, expect, it } from 'vitest';
import { kendallTauB } from './kendall.ts';

describe("Kendall's tau-b", () => {
  it('is 1 for the same order, −1 for the reverse, NaN for a constant list', () => {
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('handles ties (tau-b), counted by hand', () => {
    // binary vs F1 rewards: 4 concordant pairs, 2 pairs tied in x only → 4 / √(6·4)
    expect(kendallTauB([1, 1, 0, 0], [0.9, 1, 0.2, 0])).toBeCloseTo(4 / Math.sqrt(24), 12);
    // 3 concordant, 1 discordant, 1 tied in x only, 1 tied in y only → 2 / √(5·5)
    expect(kendallTauB([1, 2, 2, 3], [1, 3, 2, 2])).toBeCloseTo(0.4, 12);
  });
});
