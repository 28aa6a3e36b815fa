import { escapeRegExp } from '../draft.ts';
import type { Check } from './types.ts';

/**
 * question:entity-cut — an entity name cut or altered: a word left hanging on a hyphen ("Twenty- and …"),
 * unbalanced brackets or quotes, or a cluster entity named by a piece of a longer name its statements use.
 */
export const entityCut: Check = ({ draft, cluster }) => {
  const q = draft.question;
  const hanging = /(?<![\p{L}\p{N}])[\p{L}\p{N}]+-(?=[\s,?;:)"”]|$)/u.exec(q);
  if (hanging) return `word cut at a hyphen: "${hanging[0]}"`;
  if (count(q, '(') !== count(q, ')')) return 'unbalanced parentheses';
  if (count(q, '"') % 2 !== 0 || count(q, '“') !== count(q, '”')) return 'unbalanced quotes';
  for (const e of cluster.entities) {
    const name = e.name.trim();
    if (!name || !q.includes(name)) continue;
    if (/[-–(,&]$|\b(?:of|the|and|de|von|van)$/i.test(name)) return `entity name ends mid-name: "${name}"`;
    const inQuestion = new RegExp(`${escapeRegExp(name)}(?=[\\p{L}\\p{N}])`, 'u');
    if (inQuestion.test(q)) return `"${name}" runs into the next word`;
    // the name as a statement writes it: always followed by more of a longer name ("Twenty" of "Twenty-Something")
    // a hyphenated compound the question itself does not spell out ("Twenty" of "Twenty-Something")
    const longer = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}-[\\p{L}\\p{N}]`, 'u');
    const whole = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}-])`, 'u');
    if (new RegExp(`${escapeRegExp(name)}-[\\p{L}\\p{N}]`, 'u').test(q)) continue;
    const uses = e.statements.filter((s) => s.includes(name));
    if (uses.length > 0 && uses.every((s) => longer.test(s) && !whole.test(s))) return `"${name}" is part of a longer name in its statements`;
  }
  return undefined;
};

const count = (s: string, c: string) => s.split(c).length - 1;
