import type { Entity } from '../platform/generated/records.ts';

const STOP_AFTER = /^(who|that|which|from|in|of|by|for|and|with|based|known|located|where|whose|at|on|to|as|between|founded|born)$/;

/**
 * Attributes two entities can share, for sub-tables: the kind of thing a statement says the entity is
 * ("… is an American film director" → is_a:director) and its entity type.
 */
export function attributesOf(entity: Entity): string[] {
  const out = new Set<string>();
  if (entity.entity_type && entity.entity_type !== 'thing') out.add(`type:${entity.entity_type}`);
  for (const s of entity.statements) {
    const m = /\b(?:is|was|are|were)\s+(?:an?|the|one of the)\s+([^,.;:()]+)/iu.exec(s.text);
    if (!m) continue;
    const words: string[] = [];
    for (const w of m[1].trim().split(/\s+/)) {
      // a participle after the noun starts a clause: "a railway opened in 1889"
      if (STOP_AFTER.test(w.toLowerCase()) || (words.length > 0 && /^\p{Ll}+ed$/u.test(w))) break;
      words.push(w);
    }
    const head = words[words.length - 1]?.toLowerCase().replace(/[^\p{L}-]/gu, '');
    if (head && head.length > 2 && /^\p{Ll}/u.test(words[words.length - 1])) out.add(`is_a:${head}`);
  }
  return [...out].sort();
}
