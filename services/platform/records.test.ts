import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentId, sha256, stableJson } from './records.ts';

describe('contentId', () => {
  // ids are stored and deduplicated on: they must never change for the same parts
  const reference = (kind: string, ...parts: unknown[]) => `${kind}_${createHash('sha256').update(stableJson(parts)).digest('hex').slice(0, 32)}`;

  it('is the sha256 of the stable JSON of its parts, whatever the parts', () => {
    const cases: unknown[][] = [
      ['bench', 'doc_1'],
      ['a', 1, 2.5, true, null, undefined, NaN, ''],
      [{ b: 1, a: [{ d: 2, c: 3 }] }, 'x'],
      [['nested', 1], 'x'],
      [],
    ];
    for (const parts of cases) expect(contentId('k', ...parts)).toBe(reference('k', ...parts));
    expect(contentId('cpt', 'bench', 'doc_1')).toBe('cpt_a10dac333ff7383b64ebacbaf4bd9513');
  });

  it('sorts object keys, so key order does not change an id', () => {
    expect(contentId('k', { a: 1, b: 2 })).toBe(contentId('k', { b: 2, a: 1 }));
  });

  it('sha256 is hex', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
