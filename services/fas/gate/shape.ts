import type { Check } from './types.ts';

/** question:malformed — not a single question: no question mark, too short or too long to read. */
export const malformed: Check = ({ draft }) => {
  const q = draft.question.trim();
  if (!q.endsWith('?')) return 'does not end with a question mark';
  if (q.length < 20) return `too short (${q.length} characters)`;
  if (q.length > 360) return `too long (${q.length} characters)`;
  if (/^\p{Ll}/u.test(q)) return 'starts in lower case';
  if (misplacedQuote(q)) return 'misplaced quotes';
  return undefined;
};

const LEFTOVER = /\{\{|\}\}|\$\{|\bundefined\b|\bnull\b|\bNaN\b|\[object |\ba certain (?:year|date|number)\b|\bthat year's\b|\bTODO\b|<[a-z/][^>]*>|\bX{2,}\b/;

/** question:placeholder — template text left over: blanks outside a cloze frame, unfilled slots, an undefined X. */
export const placeholder: Check = ({ draft }) => {
  const q = draft.question;
  const m = LEFTOVER.exec(q);
  if (m) return `template text left over: "${m[0]}"`;
  const blanks = (q.match(/_{2,}/g) ?? []).length;
  if (blanks > (/^Which name completes this statement about /.test(q) ? 1 : 0)) return 'blank left in the question';
  if (/\bX\b/.test(q) && !/\bX (?:is|being) (?:the one|whichever|the )/.test(q)) return 'X is used but never defined';
  return undefined;
};

const VAGUE = [/\bassociated with the (?:earliest|latest) year\b/i, /\bwhat is recorded about\b/i, /\bsomething\b/, /\bin some way\b/i, /\bcertain (?:thing|event)\b/i, /\bthe (?:earliest|latest) year in\b/i];

/** question:vague — phrasings that do not pin down what is asked. */
export const vague: Check = ({ draft }) => {
  const hit = VAGUE.find((v) => v.test(draft.question));
  return hit ? `vague phrasing: ${hit.source}` : undefined;
};

/** Double quotes alternate open/close: an opening one follows a space, "(" or ":", a closing one precedes a space or punctuation. */
function misplacedQuote(q: string): boolean {
  let open = false;
  for (let i = 0; i < q.length; i++) {
    if (q[i] !== '"') continue;
    if (!open && i > 0 && !/[\s(:]/.test(q[i - 1])) return true;
    if (open && i + 1 < q.length && !/[\s?,.;:)!]/.test(q[i + 1])) return true;
    open = !open;
  }
  return false;
}
