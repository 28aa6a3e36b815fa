import type { QuestionDraft } from './draft.ts';

const norm = (s: string) => s.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
const numbers = (s: string) => (s.match(/\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?/g) ?? []).map((n) => Number(n.replace(/,/g, '')));

/**
 * Is the answer supported by the evidence? It must appear in an evidence statement, or — for a numeric
 * question — be the difference or sum of two numbers the evidence states, or — for a comparison — be the
 * name of an entity whose statement is evidence. Returns the reason it is not, or undefined.
 */
export function unsupportedReason(d: QuestionDraft, entityNames: Map<string, string>): string | undefined {
  const answer = norm(d.answer);
  if (!answer) return 'empty answer';
  if (d.evidence.length === 0) return 'no evidence';
  const text = ` ${d.evidence.map((e) => norm(e.statement)).join(' | ')} `;
  if (text.includes(` ${answer} `)) return undefined;
  if (d.style === 'numeric' && /^\d+(\.\d+)?$/.test(answer.replace(/ /g, ''))) {
    const target = Number(answer.replace(/ /g, ''));
    const found = d.evidence.flatMap((e) => numbers(e.statement));
    for (const x of found) for (const y of found) if (Math.abs(x - y) === target || x + y === target) return undefined;
    return `${d.answer} is not a difference or sum of numbers in the evidence`;
  }
  if (d.evidence.some((e) => norm(entityNames.get(e.entity_id) ?? '') === answer)) return undefined;
  return `"${d.answer}" does not appear in the evidence`;
}

/** Questions must not give their answer away. */
export function leaksAnswer(d: QuestionDraft): boolean {
  const answer = norm(d.answer);
  if (d.style === 'synthesis') return false; // the candidates are named on purpose
  return answer.length > 0 && ` ${norm(d.question)} `.includes(` ${answer} `);
}
