import fs from 'node:fs';
import path from 'node:path';
import nlp from 'compromise/two';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/paths.ts';
import { sweeps, useSweep } from './fast-sweep.ts';

describe("compromise's post-tagger sweep, indexed and matched from the terms a pattern can start on", () => {
  afterAll(() => useSweep('fast'));

  it('tags every term as compromise’s own sweep does', () => {
    const texts = fs
      .readFileSync(path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 30)
      .flatMap((line) => (JSON.parse(line) as { paragraphs: Array<{ title: string; text: string }> }).paragraphs.flatMap((p) => [p.title, p.text]));
    texts.push("He didn't go, but she'd've gone to the U.S. on Jan. 5th, 1999 — wasn't it?", 'Running quickly, the old man the boats.');
    // every term's text, tags and chunk, sentence by sentence (term ids carry a counter: left out)
    const tags = () => texts.map((t) => (nlp(t) as unknown as { docs: Array<Array<{ text: string; tags: Set<string>; chunk?: string }>> }).docs.map((terms) => terms.map((term) => `${term.text}:${[...term.tags].sort().join(',')}:${term.chunk ?? ''}`)));
    expect(sweeps.fast.postTagger).not.toBe(sweeps.compromise.postTagger); // the slimmer post-tagger is the one compared
    useSweep('compromise');
    const expected = tags();
    useSweep('fast');
    expect(tags()).toEqual(expected);
  });
});
