import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knowledgeFixtures } from '../../test/fixtures/knowledge-corpus.ts';
import type { RawDocument } from '../platform/generated/records.ts';
import { cleanDocument } from './clean.ts';
import { ingestConfigSchema } from './config.ts';
import { MinHasher, NearDuplicateIndex } from '../lib/minhash.ts';
import { isCheckableStatement } from './quality.ts';

const config = ingestConfigSchema.parse({});
const raw = (body: string, content_type = 'text/plain', title = ''): RawDocument => ({
  id: 'raw_1', round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
  source_kind: 'jsonl', source_uri: 'x.jsonl:1', url: '', title, content_type, body,
});
const page = (name: string) => fs.readFileSync(path.join(knowledgeFixtures, 'pages', name), 'utf8');

describe('cleaning and filters', () => {
  it('keeps the article of an HTML page and drops its navigation and footer', () => {
    const result = cleanDocument(raw(page('kestrel-valley.html'), 'text/html'), config);
    expect(result.kept).toBe(true);
    if (!result.kept) return;
    expect(result.text).toContain('The line was opened in 1889');
    expect(result.text).not.toMatch(/Subscribe|Privacy|All rights reserved/);
    expect(result.lang).toBe('en');
    expect(result.quality.fact_sentences).toBeGreaterThan(2);
  });

  // from the bundled HotpotQA paragraphs, as an SFT trajectory of a demo round quoted them
  it('removes the residue of templates the dump rendered empty', () => {
    const body = `Alfred Antony Francis Gell, {'1': ", '2': ", '3': ", '4': "} ( ; June 12, 1945 – January 28, 1997) was a British social anthropologist. Jana Novotná (] ; born 2 October 1968) is a former professional tennis player from the Czech Republic.`;
    const result = cleanDocument(raw(body), config);
    expect(result.kept && result.text).toBe('Alfred Antony Francis Gell (June 12, 1945 – January 28, 1997) was a British social anthropologist. Jana Novotná (born 2 October 1968) is a former professional tennis player from the Czech Republic.');
  });

  it('drops by reason: too short, symbol soup, repetition, no checkable statements, language', () => {
    const reason = (body: string, c = config) => {
      const r = cleanDocument(raw(body), c);
      return r.kept ? 'kept' : r.reason;
    };
    expect(reason('Too short to matter.')).toBe('too_short');
    expect(reason('The tower was built in 1874 by Ada Moreno and a crew from Port Calder. #### @@@ ^^^ ~~~ {{{ }}} ||| <<< >>> *** +++ === ### @@@ ^^^ ~~~')).toBe('symbol_ratio');
    expect(reason(Array(30).fill('buy cheap shoes online today').join(' '))).toBe('repetition');
    expect(reason('this is really nice and i think you will love it so much because it is great and wonderful and lovely')).toBe('no_facts');
    const englishOnly = ingestConfigSchema.parse({ INGEST_LANGUAGES: 'en' });
    expect(reason('Григорианският календар е въведен през 1582 година от папа Григорий XIII и се използва в България от 1916 година насам.', englishOnly)).toBe('language');
  });

  it('recognises checkable statements', () => {
    expect(isCheckableStatement('The tower is 31 metres tall.')).toBe(true);
    expect(isCheckableStatement('It was opened by Ada Moreno.')).toBe(true);
    expect(isCheckableStatement('What a lovely day it is?')).toBe(false);
    expect(isCheckableStatement('we really like it a lot')).toBe(false);
  });
});

describe('near-duplicate index', () => {
  const hasher = new MinHasher();
  const a = cleanDocument(raw(page('kestrel-valley.html'), 'text/html'), config);
  const b = cleanDocument(raw(page('kestrel-valley-mirror.html'), 'text/html'), config);
  const c = cleanDocument(raw(page('brannock.html'), 'text/html'), config);
  if (!a.kept || !b.kept || !c.kept) throw new Error('fixtures must pass the filters');

  it('finds exact and near duplicates but not a different page, and a replay is not a duplicate', () => {
    const index = new NearDuplicateIndex();
    const item = (d: typeof a & { kept: true }, firstSeen: string) => ({ id: d.contentHash, key: d.contentHash, signature: hasher.signature(d.text), firstSeen });
    index.add(item(a as typeof a & { kept: true }, 'p0@1'));
    expect(index.findDuplicate(item(a as typeof a & { kept: true }, 'p0@1'))).toBeUndefined(); // replay of the same input
    expect(index.findDuplicate(item(a as typeof a & { kept: true }, 'p0@9'))?.kind).toBe('exact');
    const near = index.findDuplicate(item(b as typeof b & { kept: true }, 'p1@2'));
    expect(near?.kind).toBe('near');
    expect(near!.similarity).toBeGreaterThan(0.8);
    expect(index.findDuplicate(item(c as typeof c & { kept: true }, 'p2@3'))).toBeUndefined();
  });

  it('signatures are the same in every process (seeded hash functions)', () => {
    expect(new MinHasher().signature('The Kestrel Valley Railway opened in 1889.')).toEqual(hasher.signature('The Kestrel Valley Railway opened in 1889.'));
  });
});
