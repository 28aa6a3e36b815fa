import { clauses } from './text.ts';
import type { Check } from './types.ts';

const blurredText = (detail: string) => detail.split(' → ')[1]?.trim();
const ASK = /\b(how many|how much|which year|what year|when|who|whom)\b/i;

/**
 * question:blurred-answer-clause — a blurred date or number where the question needs it: inside the clause
 * that carries the asked value ("from which year to the 1990s"), among the operands of a computed answer,
 * or blurred twice into the same text ("from the 1990s to the 1990s").
 */
export const blurredAnswerClause: Check = ({ draft }) => {
  const blurs = draft.operations.filter((o) => o.op === 'blur_date' || o.op === 'blur_number');
  if (blurs.length === 0) return undefined;
  if (draft.style === 'numeric') return `numeric question with a blurred operand (${blurs.map((b) => b.detail).join('; ')})`;
  const texts = blurs.map((b) => blurredText(b.detail)).filter((t): t is string => !!t);
  for (const t of new Set(texts)) if (draft.question.split(t).length > 2) return `"${t}" appears more than once`;
  const asking = clauses(draft.question).filter((c) => ASK.test(c));
  for (const t of texts) if (asking.some((c) => c.includes(t))) return `"${t}" is blurred in the clause that asks`;
  return undefined;
};
