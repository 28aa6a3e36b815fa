import { describe, expect, it } from 'vitest';
import { slug } from '../entity-id.ts';
import { EntityResolver } from './index.ts';
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
    expect(r('Edward Wood')).toMatchObject({ id: 'edward_davis_wood_jr', via: 'subset' });
  });

  it('does not merge ambiguous, unrelated or already known mentions', () => {
    expect(r('Black')).toBeUndefined(); // Cara Black or Jack Black
    expect(r('Manchester')).toBeUndefined();
    expect(r('Huber', 'place')).toBeUndefined();
    expect(r('Liezel Huber')).toBeUndefined(); // itself
    expect(r('Paul Huber')).toBeUndefined();
    expect(new EntityResolver(0.85).resolve('Huber', 'huber')).toBeUndefined(); // below the threshold
  });

  it('core names drop titles, suffixes and disambiguations', () => {
    expect(coreName('Sir Alex Ferguson')).toBe('alex_ferguson');
    expect(coreName('Mind Control (Tantric album)')).toBe('mind_control');
    expect(coreName('Apple Inc.')).toBe('apple');
  });
});
