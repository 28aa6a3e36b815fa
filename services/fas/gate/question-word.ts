import { isNumber, isYear } from './text.ts';
import type { Check } from './types.ts';

const SLOT = /\b(how many|how much|how old|how long|in which year|in what year|which year|what year)\b/gi;
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
  if (!cloze && slots.length === 0 && !/^(?:Which|What|Of |Among )/.test(q)) return 'no question word';
  const asks = new Set(slots.map((s) => (s.includes('year') || s === 'when' ? 'year' : s.startsWith('how') ? 'count' : 'person')));
  if (asks.size > 1 || slots.filter((s) => s !== 'who' && s !== 'whom').length > 1) return `asks for more than one thing: ${slots.join(', ')}`;
  const ask = [...asks][0];
  if (ask === 'count') {
    const after = /\bhow (?:many|much)\s+([\p{L}-]+)/iu.exec(body)?.[1] ?? '';
    const counting = /\bhow (?:many|much)\b/i.test(body);
    if (counting && (!after || /^(and|or|but|to|in|of|the|a|an|is|was|were|did|does|do|has|had)$/i.test(after))) return `"how many" counts nothing ("how many ${after}")`;
    if (!isNumber(answer)) return `"how many" but the answer "${answer}" is not a number`;
    if (isYear(answer) && !/^years?$/i.test(after)) return `"how many ${after}" but the answer ${answer} is a year`;
  }
  if (ask === 'year' && !/\b(1[0-9]\d\d|20[0-3]\d)\b/.test(answer)) return `asks for a year but the answer "${answer}" is not one`;
  if (ask === 'person' && (isNumber(answer) || !/\p{Lu}/u.test(answer))) return `"who" but the answer "${answer}" is not a name`;
  if (!ask && isYear(answer) && !cloze) return `the answer is a year but the question does not ask for one`;
  return undefined;
};
