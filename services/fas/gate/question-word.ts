import { isNumber, isYear } from './text.ts';
import type { Check } from './types.ts';

const SLOT = /\b(how many|how much|how old|how long|in which year|in what year|which year|what year)\b/gi;
const YES_NO = /^(?:are|is|was|were|do|does|did|has|have|had|can|could|will|would|should)\s/i;
/** A count written as digits or words, possibly with a unit: "seven", "250 million", "3,677 seated". */
const QUANTITY = /^(?:(?:more than|over|about|around|nearly|almost|at least|approximately)\s+)?(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a hundred|thousand|a dozen|dozens)\b/i;

/** "who", "whom" and "when" ask only at the head of the question (elsewhere they start a relative clause). */
const HEAD = /^(?:(?:Of|Among)\b[^?]*?,\s*)?(who|whom|when)\b/i;

/**
 * question:wrong-question-word — the question word must fit the answer (how many → a number, which year → a
 * year, who → a name), ask for one thing, and "how many" must count something ("in how many and …" does not).
 */
export const questionWord: Check = ({ draft }) => {
  const q = draft.question;
  const answer = draft.answer.trim();
  const cloze = /^Which name completes this statement about /.test(q);
  const body = q.replace(/"[^"]*"/g, '""'); // quoted clues are context, not the ask
  const head = HEAD.exec(body)?.[1]?.toLowerCase();
  const slots = [...body.matchAll(SLOT)].map((m) => m[1].toLowerCase()).concat(head ? [head] : []);
  const yesNo = YES_NO.test(q.trim());
  if (!cloze && slots.length === 0 && !yesNo && !/\b(?:what|which|who|whom|whose|where|when|why|how)\b/i.test(body)) return 'no question word';
  if (yesNo && slots.length === 0) return /^(?:yes|no)$/i.test(answer) || !isYear(answer) ? undefined : `a yes/no question answered by ${answer}`;
  const asks = new Set(slots.map((s) => (s.includes('year') || s === 'when' ? 'year' : s.startsWith('how') ? 'count' : 'person')));
  if (asks.size > 1 || slots.filter((s) => s !== 'who' && s !== 'whom').length > 1) return `asks for more than one thing: ${slots.join(', ')}`;
  const ask = [...asks][0];
  if (ask === 'count') {
    const after = /\bhow (?:many|much)\s+([\p{L}-]+)/iu.exec(body)?.[1] ?? '';
    const counting = /\bhow (?:many|much)\b/i.test(body);
    if (counting && (!after || /^(and|or|but|to|in|of|the|a|an|is|was|were|did|does|do|has|had)$/i.test(after))) return `"how many" counts nothing ("how many ${after}")`;
    if (!isNumber(answer) && !QUANTITY.test(answer)) return `"how many" but the answer "${answer}" is not a number`;
    if (isYear(answer) && !/^years?$/i.test(after)) return `"how many ${after}" but the answer ${answer} is a year`;
  }
  if (ask === 'year' && !/\b(1[0-9]\d\d|20[0-3]\d)\b/.test(answer) && !(slots.includes('when') && /\b(?:century|\d{3}0s)\b/i.test(answer))) return `asks for a year but the answer "${answer}" is not one`;
  if (ask === 'person' && (isNumber(answer) || !/\p{Lu}/u.test(answer))) return `"who" but the answer "${answer}" is not a name`;
  if (!ask && isYear(answer) && !cloze) return `the answer is a year but the question does not ask for one`;
  return undefined;
};
