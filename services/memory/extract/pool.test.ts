import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../platform/generated/records.ts';
import { projectRoot } from '../../platform/paths.ts';
import { EntityIds } from '../entity-id.ts';
import { NlpExtractor } from './nlp.ts';
import { ExtractorPool } from './pool.ts';

describe('NLP extraction on worker threads', () => {
  it('gives the facts the in-process extractor gives, whatever thread takes a document', async () => {
    // the paragraphs of the first HotpotQA questions of the bundled sample, with their titles
    const docs = fs
      .readFileSync(path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 4)
      .flatMap((line) => (JSON.parse(line) as { paragraphs: Array<{ title: string; text: string }> }).paragraphs)
      .map((p, i) => ({ id: `doc_${i}`, title: p.title, text: p.text }) as Document);
    const aliases = 'Ed Wood=Edward D. Wood Jr.';
    const inProcess = new NlpExtractor(new EntityIds(aliases), 40);
    const pool = new ExtractorPool(2, { aliases, maxSentences: 40 });
    try {
      const threaded = await Promise.all(docs.map((d) => pool.extract(d)));
      const expected = await Promise.all(docs.map((d) => inProcess.extract(d)));
      expect(threaded).toEqual(expected);
      expect(expected.some((e) => e.facts.length > 0)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
