import { describe, expect, it } from 'vitest';
import type { Entity, Fact } from '../platform/generated/records.ts';
import { EntityIds } from './entity-id.ts';
import { emptyEntity, mergeFact, mergeRecord, toRecordBody } from './merge.ts';
import { namesakeNames } from './namesakes.ts';
import { sampleClusters } from './sample.ts';

const limits = { statements: 64, relations: 64 };
let n = 0;
const fact = (entity: string, statement: string, related: string[] = [], relation = ''): Fact => ({
  id: `fact_${++n}`, round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
  entity_id: new EntityIds().id(entity), entity_name: entity, entity_type: 'thing', entity_aliases: [], statement, doc_id: `doc_${n}`,
  related_entity_ids: related, relation, extractor: 'nlp', llm: null,
});

describe('entity ids', () => {
  it('normalise case, accents, punctuation, articles and aliases', () => {
    const ids = new EntityIds('Ed Wood=Edward D. Wood Jr.');
    expect(ids.id('The Beatles')).toBe(ids.id('beatles'));
    expect(ids.id('Jana Novotná')).toBe('jana_novotna');
    expect(ids.id('U.S.')).toBe('united_states');
    expect(ids.id('USA')).toBe('united_states');
    expect(ids.id('Ed Wood')).toBe(ids.id('Edward D. Wood, Jr.'));
    expect(() => new EntityIds('broken')).toThrow(/alias=canonical/);
  });
});

describe('entity merge', () => {
  it('is idempotent per fact, densifies contained statements and weighs relations', () => {
    const state = emptyEntity('port_calder');
    const a = fact('Port Calder', 'Port Calder was founded in 1838.', ['harbor_lighthouse']);
    expect(mergeFact(state, a)).toBe(true);
    expect(mergeFact(state, a)).toBe(false); // replayed
    mergeFact(state, fact('Port Calder', 'Port Calder was founded in 1838 by Scottish settlers.', ['harbor_lighthouse']));
    mergeFact(state, fact('Port Calder', 'Port Calder has a stone breakwater.', ['breakwater'], 'has_part'));
    const body = toRecordBody(state, limits);
    expect(body.statements.map((s) => s.text)).toEqual(['Port Calder was founded in 1838 by Scottish settlers.', 'Port Calder has a stone breakwater.']);
    expect(body.statements[0].fact_ids).toHaveLength(2);
    expect(body.relations).toEqual([
      { entity_id: 'harbor_lighthouse', kind: 'co_mention', weight: 2 },
      { entity_id: 'breakwater', kind: 'has_part', weight: 1 },
    ]);
    expect(body.version).toBe(3);
  });

  it('reloaded state equals the state that wrote it', () => {
    const state = emptyEntity('x');
    mergeFact(state, fact('X', 'X was built in 1900.', ['y']));
    const body = toRecordBody(state, limits);
    const reloaded = emptyEntity('x');
    mergeRecord(reloaded, { ...body, id: 'e', round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0 });
    expect(toRecordBody(reloaded, limits)).toEqual(body);
  });
});

describe('cluster sampling', () => {
  const entity = (id: string, statements: string[], related: string[]): Entity => ({
    id: `e_${id}`, round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
    entity_id: id, name: id.toUpperCase(), entity_type: 'thing', aliases: [],
    statements: statements.map((text, i) => ({ text, fact_ids: [`${id}_${i}`], doc_ids: [`doc_${id}`] })),
    relations: related.map((r) => ({ entity_id: r, kind: 'co_mention', weight: 1 })), version: statements.length,
  });
  const snapshot = [
    entity('a', ['A is a railway opened in 1889.'], ['b', 'c']),
    entity('b', ['B is a railway opened in 1901.'], ['d']),
    entity('c', ['C is a village founded in 1820.'], []),
    entity('d', ['D is a village founded in 1799.'], ['e']),
    entity('e', ['E is a harbour built in 1850.'], []),
    entity('lonely', ['Lonely is a railway.'], []),
  ];

  it('walks the graph into linked clusters of 2–5 entities and builds shared-attribute sub-tables', () => {
    const clusters = sampleClusters(snapshot, { seed: 1, walks: 20, subtables: 10 });
    const walks = clusters.filter((c) => c.kind === 'random_walk');
    expect(walks.length).toBeGreaterThan(3);
    for (const c of walks) {
      expect(c.entities.length).toBeGreaterThanOrEqual(2);
      expect(c.entities.length).toBeLessThanOrEqual(5);
      expect(c.edges).toHaveLength(c.entities.length - 1);
      for (const e of c.edges) expect(snapshot.find((s) => s.entity_id === e.from)!.relations.some((r) => r.entity_id === e.to) || snapshot.find((s) => s.entity_id === e.to)!.relations.some((r) => r.entity_id === e.from)).toBe(true);
      expect(c.entities.map((e) => e.entity_id)).not.toContain('lonely');
    }
    const tables = clusters.filter((c) => c.kind === 'subtable');
    expect(tables.map((t) => t.shared_attribute)).toEqual(expect.arrayContaining(['is_a:railway', 'is_a:village']));
    const railways = tables.find((t) => t.shared_attribute === 'is_a:railway')!;
    expect(railways.entities.every((e) => e.statements.some((s) => s.includes('railway')))).toBe(true);
    expect(railways.entities[0].statement_doc_ids[0]).toMatch(/^doc_/);
  });

  it('is deterministic under a seed and varies with it', () => {
    expect(sampleClusters(snapshot, { seed: 5 })).toEqual(sampleClusters([...snapshot].reverse(), { seed: 5 }));
    expect(sampleClusters(snapshot, { seed: 5, walks: 5 })).not.toEqual(sampleClusters(snapshot, { seed: 6, walks: 5 }));
  });
});

describe('namesakes', () => {
  const person = (name: string, texts: string[]): Entity => ({
    id: `e_${name}`, round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
    entity_id: new EntityIds().id(name), name, entity_type: 'person', aliases: [], statements: texts.map((text, i) => ({ text, fact_ids: [`${name}_${i}`], doc_ids: ['d'] })), relations: [], version: 1,
  });

  it('names an entity by what it is when another entity goes by the same name', () => {
    const names = namesakeNames([
      person('Laura Esquivel', ['Laura Esquivel (born September 30, 1950) is a Mexican novelist, screenwriter and a politician.']),
      person('Laura Natalia Esquivel', ['Laura Natalia Esquivel (born May 18, 1994), known professionally as Laura Esquivel, is an Argentine actress and singer.']),
      person('Lisa Raymond', ['Lisa Raymond (born August 10, 1973) is an American retired professional tennis player.']),
    ]);
    expect([...names]).toEqual([['laura_esquivel', 'Laura Esquivel (Mexican novelist)']]);
  });
});
