import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../platform/paths.ts';
import { readQaFile } from '../rollout/eval/qa-file.ts';
import { reworded, verbatimLines } from '../../test/fixtures/contamination.ts';
import { words } from '../lib/minhash.ts';
import { loadConfig } from '../platform/config.ts';
import { defaultRules, EvalIndex, type Hit } from './eval-index.ts';
import { decontamConfigSchema, rulesFrom } from './stage.ts';
import { evalSetFromFile } from './sets.ts';

const file = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');
const set = evalSetFromFile('hotpotqa-dev', file, { now: 0 });
const index = new EvalIndex(set);
const items = readQaFile(file);

describe('EvalIndex (13-gram, 8-gram 50% coverage, MinHash review tier)', () => {
  it('catches verbatim questions with a hard hit naming the eval item', () => {
    for (const line of verbatimLines) {
      const hit = index.check([{ field: 'question', text: items[line].question }]);
      expect(hit, items[line].question).toMatchObject({ tier: 'hard', itemId: items[line].id, set: 'hotpotqa-dev' });
    }
  });

  it('catches reworded questions (word order, synonyms, a name swapped for a description)', () => {
    const rows = reworded.map((r) => ({ ...r, hit: index.check([{ field: 'question', text: r.question }]) }));
    console.table(rows.map((r) => ({ line: r.line, change: r.change, tier: r.hit?.tier, rule: r.hit?.rule, coverage: r.hit?.coverage.toFixed(2) })));
    for (const r of rows) expect(r.hit?.itemId, r.question).toBe(items[r.line].id);
  });

  it('finds a question quoted inside a longer text and a tool argument', () => {
    const q = items[verbatimLines[0]].question;
    expect(index.check([{ field: 'text', text: `Some page.\n\nQuestion: ${q}\nAnswer: 230` }])).toMatchObject({ tier: 'hard', field: 'text' });
    expect(index.check([{ field: 'tool_arguments', text: q.toUpperCase() }])).toMatchObject({ tier: 'hard', field: 'tool_arguments' });
  });

  it('has no hit on unrelated text; on the paragraphs the questions were written from, only real 13-gram overlaps', () => {
    expect(index.check([{ field: 'question', text: 'Who directed the 1959 film Plan 9 from Outer Space?' }])).toBeUndefined();
    let paragraphs = 0;
    const hits: Hit[] = [];
    for (const item of items) {
      for (const p of item.paragraphs) {
        paragraphs++;
        const text = `${p.title}\n\n${p.text}`;
        const hit = index.check([{ field: 'text', text }]);
        if (!hit) continue;
        hits.push(hit);
        // HotpotQA questions copy phrases from Wikipedia: such a paragraph really holds 13 words of the question
        expect(hit.rule).toBe('ngram13');
        expect(words(text).join(' ')).toContain(hit.ngram);
        expect(words(items.find((i) => i.id === hit.itemId)!.question).join(' ')).toContain(hit.ngram);
      }
    }
    console.log(`${hits.length} of ${paragraphs} paragraphs share a 13-gram with a question`);
    expect(hits.length).toBeLessThan(paragraphs * 0.005);
  });

  it('ignores n-grams shared by many eval items', () => {
    const common = 'according to the records kept by the national archive of the country';
    const many = new EvalIndex({ name: 's', content_hash: 'h', items: Array.from({ length: 12 }, (_, i) => ({ id: `e${i}`, question: `${common} who won prize number ${i}?`, answer: '' })) });
    expect(many.check([{ field: 'text', text: `${common} today` }])).toBeUndefined();
  });
});

describe('decontam stage config', () => {
  it('defaults to the published rules and names a bad variable', () => {
    expect(rulesFrom(loadConfig(decontamConfigSchema, {}))).toEqual(defaultRules);
    expect(() => loadConfig(decontamConfigSchema, { DECONTAM_MIN_NGRAM: '20' })).toThrow(/DECONTAM_MIN_NGRAM="20": must not exceed DECONTAM_NGRAM/);
    expect(() => loadConfig(decontamConfigSchema, { DECONTAM_COVERAGE_SHARE: '1.5' })).toThrow(/DECONTAM_COVERAGE_SHARE/);
  });
});
