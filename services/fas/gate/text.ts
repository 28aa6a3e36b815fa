/** Lower case, no accents, words separated by single spaces. */
export const norm = (s: string) => s.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** Whole-word (normalised) containment. */
export const containsWords = (haystack: string, needle: string) => {
  const n = norm(needle);
  return n.length > 0 && ` ${norm(haystack)} `.includes(` ${n} `);
};

/** Numbers written with digits ("3,400", "1874", "2.5"). */
export const numbersIn = (s: string) => (s.match(/\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?/g) ?? []).map((n) => Number(n.replace(/,/g, '')));

export const isYear = (answer: string) => /^(1[0-9]\d\d|20[0-3]\d)$/.test(answer.trim());
export const isNumber = (answer: string) => /^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^-?\d+(?:\.\d+)?$/.test(answer.trim());

/**
 * The word of a person-like name that identifies it on its own — its surname ("Huber" of "Liezel Huber") — for
 * leak checks; nothing for names that are not two to four capitalised words, or end in a common noun ("Airport").
 */
export function distinctiveTokens(name: string): string[] {
  const words = name.replace(/\([^)]*\)/g, ' ').trim().split(/\s+/).filter(Boolean);
  if (words.length < 2 || words.length > 4 || !words.every((w) => /^\p{Lu}[\p{L}.'’-]*$/u.test(w))) return [];
  const last = words[words.length - 1].replace(/[.,]$/, '');
  return last.length >= 4 && !COMMON.has(last.toLowerCase()) && !/^(?:Jr|Sr|II|III|IV)\.?$/.test(last) ? [last] : [];
}

const COMMON = new Set('the and of for from with united states national american british english french german international university college school club city county district river lake mount saint football company records album film band league team street house church north south east west new old first second third airport army navy fortress bomber station park museum hotel bridge tower castle palace award awards prize party war battle cup championship festival island islands bay airlines studios pictures group'.split(' '));

/** Clauses of a question: split at commas, semicolons, colons, parentheses and quotes. */
export const clauses = (q: string) => q.split(/[,;:()"“”]/).map((c) => c.trim()).filter(Boolean);
