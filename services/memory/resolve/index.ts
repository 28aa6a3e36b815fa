import { coreName, coreTokens, isSingleWord } from './variants.ts';

export interface KnownEntity {
  id: string;
  name: string;
  type: string;
  aliases: string[];
}

/** How a mention was resolved to an entity already in memory. */
export interface Resolution {
  id: string;
  name: string;
  /** alias: a name the entity is known by; variant: same name without titles/suffixes; surname: one word, one person. */
  via: 'alias' | 'variant' | 'surname';
  confidence: number;
}

/**
 * Resolves entity mentions against the entities already in memory: alias and title/suffix variants, and a bare
 * surname that fits exactly one known person. Each resolution carries a confidence; an ambiguous mention (two
 * candidates) is not merged. Two full names are never merged on shared words: "Laura Esquivel" (a Mexican
 * novelist) is not "Laura Natalia Esquivel" (an Argentine actress); MEMORY_ALIASES covers the real variants.
 * Mentions whose own id is already known resolve to themselves (no merge).
 */
export class EntityResolver {
  private readonly byId = new Map<string, KnownEntity>();
  private readonly byCore = new Map<string, Set<string>>();
  private readonly byLast = new Map<string, Set<string>>();

  constructor(private readonly minConfidence = 0.75) {}

  get size(): number {
    return this.byId.size;
  }

  add(entity: KnownEntity): void {
    const known = this.byId.get(entity.id);
    const merged: KnownEntity = known ? { ...known, aliases: [...new Set([...known.aliases, ...entity.aliases])], type: known.type === 'thing' ? entity.type : known.type } : entity;
    this.byId.set(entity.id, merged);
    for (const n of [entity.name, ...entity.aliases]) {
      const core = coreName(n);
      if (core) index(this.byCore, core, entity.id);
    }
    const tokens = coreTokens(entity.name);
    if (tokens.length > 1) index(this.byLast, tokens[tokens.length - 1], entity.id);
  }

  /** The known entity `name` (with its own id `id`) refers to, when it is another one; undefined otherwise. */
  resolve(name: string, id: string, type = 'thing'): Resolution | undefined {
    if (!id || this.byId.has(id)) return undefined;
    const core = coreName(name);
    const alias = only(this.byCore.get(core));
    // "Marco Da Silva (dancer)" and "Marco da Silva (French footballer)" are two people
    if (alias && disambiguation(name) && disambiguation(this.byId.get(alias)!.name) && disambiguation(name) !== disambiguation(this.byId.get(alias)!.name)) return undefined;
    if (alias) {
      const e = this.byId.get(alias)!;
      const exactAlias = e.aliases.some((a) => coreName(a) === core && a.trim() === name.trim());
      return this.accept(e, exactAlias ? 'alias' : 'variant', exactAlias ? 0.95 : 0.9);
    }
    const tokens = coreTokens(name);
    if (isSingleWord(name) && tokens.length === 1) {
      const candidates = [...(this.byLast.get(tokens[0]) ?? [])].filter((c) => this.byId.get(c)!.type === 'person');
      if (candidates.length === 1 && type !== 'place' && type !== 'organization') return this.accept(this.byId.get(candidates[0])!, 'surname', 0.8);
      return undefined;
    }
    return undefined;
  }

  private accept(e: KnownEntity, via: Resolution['via'], confidence: number): Resolution | undefined {
    return confidence >= this.minConfidence ? { id: e.id, name: e.name, via, confidence } : undefined;
  }
}

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(id);
  map.set(key, set);
}

const disambiguation = (name: string) => /\(([^)]*)\)\s*$/.exec(name)?.[1]?.toLowerCase() ?? '';

const only = (set: Set<string> | undefined) => (set && set.size === 1 ? [...set][0] : undefined);
