import type { Entity, EntityRelation, EntityStatement, Fact } from '../platform/generated/records.ts';

/** In-memory state of one entity: what fw.memory.entities holds, with sets for idempotent merging. */
export interface EntityState {
  entityId: string;
  names: Map<string, number>;
  types: Map<string, number>;
  aliases: Set<string>;
  statements: Map<string, { text: string; factIds: Set<string>; docIds: Set<string> }>;
  relations: Map<string, EntityRelation>;
  factIds: Set<string>;
}

export function emptyEntity(entityId: string): EntityState {
  return { entityId, names: new Map(), types: new Map(), aliases: new Set(), statements: new Map(), relations: new Map(), factIds: new Set() };
}

/** Statements that differ only in case, spacing or punctuation are one statement. */
export function statementKey(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const bump = (m: Map<string, number>, k: string, by = 1) => k && m.set(k, (m.get(k) ?? 0) + by);

/**
 * Merges one fact. Idempotent: a fact id already merged changes nothing (a replayed batch after an aborted
 * transaction must not double-count). Densifies: a statement contained in a longer one merges into it.
 */
export function mergeFact(state: EntityState, fact: Fact): boolean {
  if (state.factIds.has(fact.id)) return false;
  state.factIds.add(fact.id);
  bump(state.names, fact.entity_name);
  bump(state.types, fact.entity_type);
  for (const a of fact.entity_aliases) state.aliases.add(a);
  const key = statementKey(fact.statement);
  let target = state.statements.get(key);
  if (!target) {
    const container = [...state.statements.entries()].find(([k]) => k.length > key.length && k.includes(key));
    if (container) target = container[1];
    else {
      for (const [k, s] of state.statements) {
        if (key.length > k.length && key.includes(k)) {
          state.statements.delete(k);
          target = { text: fact.statement, factIds: s.factIds, docIds: s.docIds };
          break;
        }
      }
      target ??= { text: fact.statement, factIds: new Set(), docIds: new Set() };
      state.statements.set(key, target);
    }
  }
  target.factIds.add(fact.id);
  target.docIds.add(fact.doc_id);
  const labels = fact.relation ? fact.relation.split(';') : [];
  fact.related_entity_ids.forEach((other, i) => {
    const kind = labels[i] || 'co_mention';
    const k = `${other}|${kind}`;
    const existing = state.relations.get(k);
    if (existing) existing.weight += 1;
    else state.relations.set(k, { entity_id: other, kind, weight: 1 });
  });
  return true;
}

/** Folds a stored entity record into the state (start-up reload, or another instance's commit seen by the tail). */
export function mergeRecord(state: EntityState, record: Entity): void {
  bump(state.names, record.name, 0.5);
  bump(state.types, record.entity_type, 0.5);
  for (const a of record.aliases) state.aliases.add(a);
  for (const s of record.statements) {
    const key = statementKey(s.text);
    const target = state.statements.get(key) ?? { text: s.text, factIds: new Set<string>(), docIds: new Set<string>() };
    for (const f of s.fact_ids) {
      target.factIds.add(f);
      state.factIds.add(f);
    }
    for (const d of s.doc_ids) target.docIds.add(d);
    state.statements.set(key, target);
  }
  for (const r of record.relations) {
    const k = `${r.entity_id}|${r.kind}`;
    const existing = state.relations.get(k);
    if (!existing || existing.weight < r.weight) state.relations.set(k, { ...r });
  }
}

const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';

/** The record body of an entity (without the common header), capped and in a deterministic order. */
export function toRecordBody(state: EntityState, limits: { statements: number; relations: number }) {
  const name = top(state.names);
  const statements: EntityStatement[] = [...state.statements.values()]
    .sort((a, b) => b.factIds.size - a.factIds.size || a.text.localeCompare(b.text))
    .slice(0, limits.statements)
    .map((s) => ({ text: s.text, fact_ids: [...s.factIds].sort(), doc_ids: [...s.docIds].sort() }));
  const relations = [...state.relations.values()]
    .sort((a, b) => b.weight - a.weight || a.entity_id.localeCompare(b.entity_id) || a.kind.localeCompare(b.kind))
    .slice(0, limits.relations);
  return {
    entity_id: state.entityId,
    name,
    entity_type: top(state.types),
    aliases: [...new Set([...state.aliases, ...state.names.keys()])].filter((a) => a !== name).sort(),
    statements,
    relations,
    version: state.factIds.size,
  };
}
