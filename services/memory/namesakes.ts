import type { Entity } from '../platform/generated/records.ts';
import { coreName } from './resolve/variants.ts';

const KNOWN_AS = /\b(?:known (?:professionally |mononymously |simply )?as|better known (?:by the stage name |as )|(?:by )?the stage name|also known as|a\.k\.a\.?)\s+"?(\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3})/gu;

/**
 * Names two entities of the memory go by ("Laura Esquivel" is the Mexican novelist and, professionally, the
 * Argentine actress Laura Natalia Esquivel): such an entity's name gets what it is in brackets — "Laura Esquivel
 * (Mexican novelist)" — so that a question about it says which one it means. Returns entity id → name to use.
 */
export function namesakeNames(snapshot: Entity[]): Map<string, string> {
  const users = new Map<string, Set<string>>();
  const use = (name: string, id: string) => {
    const key = coreName(name);
    if (key) users.set(key, (users.get(key) ?? new Set()).add(id));
  };
  for (const e of snapshot) {
    use(e.name, e.entity_id);
    for (const s of e.statements) for (const m of s.text.matchAll(KNOWN_AS)) use(m[1], e.entity_id);
  }
  const out = new Map<string, string>();
  for (const e of snapshot) {
    if (/\)$/.test(e.name) || (users.get(coreName(e.name))?.size ?? 0) < 2) continue;
    const what = descriptor(e);
    if (what) out.set(e.entity_id, `${e.name} (${what})`);
  }
  return out;
}

/** "Mexican novelist" from "Laura Esquivel (born …) is a Mexican novelist, screenwriter and …". */
function descriptor(e: Entity): string | undefined {
  for (const s of e.statements) {
    const m = /\b(?:is|was) (?:an?|the) ((?:\p{Lu}[\p{L}-]*\s+){0,2}\p{Ll}[\p{Ll}-]*(?:\s+\p{Ll}[\p{Ll}-]*)?)(?=[,.;]|\s+(?:and|who|from|in|of|for|with|best|known)\b)/u.exec(s.text);
    if (m && m[1].split(/\s+/).length <= 4) return m[1];
  }
  return undefined;
}
