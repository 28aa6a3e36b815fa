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

/** Words of a name that identify it on their own (a surname, a distinctive word), for leak checks. */
export function distinctiveTokens(name: string): string[] {
  return name
    .replace(/\([^)]*\)/g, ' ')
    .split(/[\s,]+/)
    .filter((t) => /^\p{Lu}[\p{L}'’-]{3,}$/u.test(t) && !COMMON.has(t.toLowerCase()));
}

const COMMON = new Set('the and of for from with united states national american british english french german international university college school club city county district river lake mount saint football company records album film band league team street house church north south east west new old first second third'.split(' '));

/** Clauses of a question: split at commas, semicolons, colons, parentheses and quotes. */
export const clauses = (q: string) => q.split(/[,;:()"“”]/).map((c) => c.trim()).filter(Boolean);
