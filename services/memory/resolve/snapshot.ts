import type { Entity } from '../../platform/generated/records.ts';
import { EntityResolver, type Resolution } from './index.ts';
import { coreTokens } from './variants.ts';

export interface SnapshotMerge {
  from: string;
  into: string;
  via: Resolution['via'];
  confidence: number;
}

/**
 * Entity resolution over a whole snapshot of the memory, independent of the order documents were read in: an
 * entity that is only a surname, alias or variant of another ("Huber" of "Liezel Huber") is folded into it —
 * statements, documents, relations and its name as an alias. Fuller names are known first (more words win), so
 * the result does not depend on which document came first. Relations that pointed at a merged entity follow it.
 */
export function resolveSnapshot(snapshot: Entity[], minConfidence = 0.75): { entities: Entity[]; merges: SnapshotMerge[] } {
  const resolver = new EntityResolver(minConfidence);
  const byId = new Map(snapshot.map((e) => [e.entity_id, e]));
  const order = [...snapshot].sort((a, b) => coreTokens(b.name).length - coreTokens(a.name).length || b.statements.length - a.statements.length || a.entity_id.localeCompare(b.entity_id));
  const into = new Map<string, string>();
  const merges: SnapshotMerge[] = [];
  for (const e of order) {
    const r = e.name ? resolver.resolve(e.name, `${e.entity_id}\u0000`, e.entity_type) : undefined;
    const target = r ? (into.get(r.id) ?? r.id) : undefined;
    if (r && target && target !== e.entity_id && byId.has(target) && !conflicting(e, byId.get(target)!)) {
      into.set(e.entity_id, target);
      merges.push({ from: e.entity_id, into: target, via: r.via, confidence: r.confidence });
      continue;
    }
    resolver.add({ id: e.entity_id, name: e.name, type: e.entity_type, aliases: e.aliases });
  }
  if (merges.length === 0) return { entities: snapshot, merges };
  const merged = new Map<string, Entity>();
  for (const e of snapshot) if (!into.has(e.entity_id)) merged.set(e.entity_id, { ...e, statements: [...e.statements], relations: [...e.relations], aliases: [...e.aliases] });
  for (const m of merges) {
    const source = byId.get(m.from)!;
    const target = merged.get(m.into)!;
    const known = new Set(target.statements.map((s) => s.text));
    target.statements.push(...source.statements.filter((s) => !known.has(s.text)));
    target.relations.push(...source.relations);
    target.aliases = [...new Set([...target.aliases, source.name, ...source.aliases])].filter((a) => a && a !== target.name).sort();
  }
  const follow = (id: string) => into.get(id) ?? id;
  for (const e of merged.values()) {
    const relations = new Map<string, Entity['relations'][number]>();
    for (const r of e.relations) {
      const id = follow(r.entity_id);
      if (id === e.entity_id) continue;
      const key = `${id}|${r.kind}`;
      const previous = relations.get(key);
      relations.set(key, { entity_id: id, kind: r.kind, weight: (previous?.weight ?? 0) + r.weight });
    }
    e.relations = [...relations.values()];
  }
  return { entities: [...merged.values()], merges };
}

/** Two entities whose statements give different birth years are two people, whatever their names. */
function conflicting(a: Entity, b: Entity): boolean {
  const born = (e: Entity) => new Set(e.statements.flatMap((s) => [...s.text.matchAll(/\bborn\b[^.;)]*?\b(1[0-9]\d\d|20[0-3]\d)\b/g)].map((m) => m[1])));
  const x = born(a);
  const y = born(b);
  return x.size > 0 && y.size > 0 && ![...x].some((year) => y.has(year));
}
