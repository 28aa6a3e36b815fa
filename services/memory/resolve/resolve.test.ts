import { describe, expect, it } from 'vitest';
import { slug } from '../entity-id.ts';
import { EntityResolver } from './index.ts';
import { resolveSnapshot } from './snapshot.ts';
import type { Entity } from '../../platform/generated/records.ts';
import { coreName } from './variants.ts';

const known = (name: string, type = 'person', aliases: string[] = []) => ({ id: slug(name), name, type, aliases });

describe('entity resolution across documents', () => {
  const resolver = new EntityResolver(0.75);
  resolver.add(known('Liezel Huber'));
  resolver.add(known('Lisa Raymond'));
  resolver.add(known('Edward Davis Wood Jr.', 'person', ['Ed Wood']));
  resolver.add(known('Manchester United Football Club', 'organization'));
  resolver.add(known('Cara Black'));
  resolver.add(known('Jack Black'));
  const r = (name: string, type = 'thing') => resolver.resolve(name, slug(name), type);

  it('merges a surname that fits one known person', () => {
    expect(r('Huber')).toMatchObject({ id: 'liezel_huber', via: 'surname', confidence: 0.8 });
    expect(r('Raymond', 'person')?.id).toBe('lisa_raymond');
  });

  it('merges alias and title/suffix variants', () => {
    expect(r('Ed Wood')).toMatchObject({ id: 'edward_davis_wood_jr', via: 'alias', confidence: 0.95 });
    expect(r('Edward Davis Wood')).toMatchObject({ id: 'edward_davis_wood_jr', via: 'variant' });
    expect(r('Manchester United F.C.')).toMatchObject({ id: 'manchester_united_football_club', via: 'variant', confidence: 0.9 });
    expect(r('Dr. Liezel Huber')?.id).toBe('liezel_huber');
    expect(r('Edward Wood')).toBeUndefined(); // two full names: never merged on shared words
  });

  it('does not merge ambiguous, unrelated or already known mentions', () => {
    expect(r('Black')).toBeUndefined(); // Cara Black or Jack Black
    expect(r('Manchester')).toBeUndefined();
    expect(r('Huber', 'place')).toBeUndefined();
    expect(r('Liezel Huber')).toBeUndefined(); // itself
    expect(r('Paul Huber')).toBeUndefined();
    const films = new EntityResolver();
    films.add(known('Marco Da Silva (dancer)'));
    expect(films.resolve('Marco da Silva (French footballer)', 'marco_da_silva_french_footballer')).toBeUndefined();
    expect(new EntityResolver(0.85).resolve('Huber', 'huber')).toBeUndefined(); // below the threshold
  });

  it('core names drop titles, suffixes and disambiguations', () => {
    expect(coreName('Sir Alex Ferguson')).toBe('alex_ferguson');
    expect(coreName('Mind Control (Tantric album)')).toBe('mind_control');
    expect(coreName('Apple Inc.')).toBe('apple');
  });
});

describe('entity resolution over a memory snapshot', () => {
  const entity = (name: string, type: string, statements: string[], related: string[] = []): Entity => ({
    id: `e_${slug(name)}`, round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
    entity_id: slug(name), name, entity_type: type, aliases: [],
    statements: statements.map((text, i) => ({ text, fact_ids: [`${slug(name)}_${i}`], doc_ids: [`doc_${slug(name)}`] })),
    relations: related.map((r) => ({ entity_id: r, kind: 'co_mention', weight: 1 })), version: statements.length,
  });

  it('folds a surname entity into the full name whatever the order, and relations follow it', () => {
    const huber = entity('Huber', 'person', ['Huber played with Lisa Raymond as the first seed.'], ['lisa_raymond']);
    const liezel = entity('Liezel Huber', 'person', ['Liezel Huber (born 21 August 1976) is a tennis player.']);
    const lisa = entity('Lisa Raymond', 'person', ['Lisa Raymond (born August 10, 1973) is a tennis player.'], ['huber']);
    for (const snapshot of [[huber, liezel, lisa], [lisa, liezel, huber]]) {
      const { entities, merges } = resolveSnapshot(snapshot);
      expect(merges).toEqual([{ from: 'huber', into: 'liezel_huber', via: 'surname', confidence: 0.8 }]);
      const byId = new Map(entities.map((e) => [e.entity_id, e]));
      expect(byId.has('huber')).toBe(false);
      expect(byId.get('liezel_huber')!.statements.map((s) => s.text)).toContain('Huber played with Lisa Raymond as the first seed.');
      expect(byId.get('liezel_huber')!.aliases).toContain('Huber');
      expect(byId.get('liezel_huber')!.relations).toEqual([{ entity_id: 'lisa_raymond', kind: 'co_mention', weight: 1 }]);
      expect(byId.get('lisa_raymond')!.relations).toEqual([{ entity_id: 'liezel_huber', kind: 'co_mention', weight: 1 }]);
    }
  });

  it('leaves a snapshot without variants as it is', () => {
    const snapshot = [entity('Cara Black', 'person', ['a']), entity('Jack Black', 'person', ['b']), entity('Black', 'person', ['c'])];
    expect(resolveSnapshot(snapshot)).toEqual({ entities: snapshot, merges: [] });
  });
});
