import { describe, expect, it } from 'vitest';
import type { RoundManifest } from '../platform/generated/records.ts';
import { configHash, nextRanges, rangeSizes, RoundStateError, topicBounds } from './manifest.ts';

const parts = (entries: Record<string, number[]>) => new Map(Object.entries(entries).map(([t, ends]) => [t, new Map(ends.map((e, p) => [p, e]))]));

describe('manifest ranges', () => {
  it('start at 0 in the first round and end at the snapshot', () => {
    const ranges = nextRanges(undefined, parts({ 'fw.docs': [0, 0] }), parts({ 'fw.docs': [5, 7] }));
    expect(ranges).toEqual([
      { topic: 'fw.docs', partition: 0, start: 0, end: 5 },
      { topic: 'fw.docs', partition: 1, start: 0, end: 7 },
    ]);
  });

  it("start where the previous round ended, so rounds tile a topic without gaps or overlap", () => {
    const round1 = nextRanges(undefined, parts({ 'fw.docs': [5, 7] }), parts({ 'fw.docs': [5, 7] }));
    const round2 = nextRanges(round1, parts({ 'fw.docs': [9, 7], 'fw.new': [3] }), parts({ 'fw.docs': [9, 7], 'fw.new': [3] }));
    expect(round2).toEqual([
      { topic: 'fw.docs', partition: 0, start: 5, end: 9 },
      { topic: 'fw.docs', partition: 1, start: 7, end: 7 },
      { topic: 'fw.new', partition: 0, start: 0, end: 3 },
    ]);
  });

  it('an opened round has empty ranges at the previous end', () => {
    const round1 = nextRanges(undefined, parts({ 'fw.docs': [5] }), parts({ 'fw.docs': [5] }));
    expect(nextRanges(round1, parts({ 'fw.docs': [8] }))).toEqual([{ topic: 'fw.docs', partition: 0, start: 5, end: 5 }]);
  });

  it('refuses an end before the start (a recreated topic)', () => {
    const round1 = nextRanges(undefined, parts({ 'fw.docs': [5] }), parts({ 'fw.docs': [5] }));
    expect(() => nextRanges(round1, parts({ 'fw.docs': [2] }), parts({ 'fw.docs': [2] }))).toThrow(RoundStateError);
  });

  it('gives reader bounds per partition and sizes per topic', () => {
    const manifest = { ranges: nextRanges([{ topic: 'fw.docs', partition: 0, start: 0, end: 4 }], parts({ 'fw.docs': [10, 3] }), parts({ 'fw.docs': [10, 3] })) } as RoundManifest;
    const { from, until } = topicBounds(manifest, 'fw.docs');
    expect([...from]).toEqual([[0, 4n], [1, 0n]]);
    expect([...until]).toEqual([[0, 10n], [1, 3n]]);
    expect(rangeSizes(manifest).get('fw.docs')).toBe(9);
    expect(topicBounds(manifest, 'fw.other').until.size).toBe(0);
  });
});

describe('config hash', () => {
  it('covers stage settings, ignores plumbing and secrets', () => {
    const base = { HAS_OPTIONS: '4', KAFKA_BROKERS: 'a:1', LLM_API_KEY: 'secret', TOPIC_PREFIX: 'x' };
    const a = configHash(base, []);
    expect(a.variables).toEqual({ HAS_OPTIONS: '4' });
    expect(configHash({ ...base, KAFKA_BROKERS: 'b:2', LLM_API_KEY: 'other' }, []).hash).toBe(a.hash);
    expect(configHash({ ...base, HAS_OPTIONS: '5' }, []).hash).not.toBe(a.hash);
    expect(configHash({ ...base, CUSTOM_KNOB: '1' }, ['CUSTOM_KNOB']).variables).toHaveProperty('CUSTOM_KNOB', '1');
  });
});
