import { slug } from '../entity-id.ts';

const TITLES = new Set('mr mrs ms miss dr prof professor sir dame lord lady king queen prince princess president senator governor general colonel captain saint st rev reverend judge justice chancellor pope cardinal bishop emperor empress duke duchess count countess baron baroness'.split(' '));
const SUFFIXES = new Set('jr sr ii iii iv phd md inc ltd llc plc co corp company fc f c afc sc cf ac'.split(' '));

/** The name without titles ("Sir", "President"), suffixes ("Jr.", "F.C.", "Inc.") or a disambiguation ("(film)"). */
export function coreName(name: string): string {
  const words = slug(name.replace(/\s*\([^)]*\)\s*$/, '')).split('_').filter(Boolean);
  while (words.length > 1 && TITLES.has(words[0])) words.shift();
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1])) words.pop();
  // "Manchester United Football Club" and "Manchester United F.C." are one club
  if (words.length > 2 && words.slice(-2).join(' ') === 'football club') words.splice(-2, 2);
  return words.join('_');
}

/** Tokens of the core name. */
export const coreTokens = (name: string) => coreName(name).split('_').filter(Boolean);

/** A bare surname-like mention: one capitalised word, not a title. */
export const isSingleWord = (name: string) => /^\p{Lu}[\p{L}'’-]+$/u.test(name.trim()) && !TITLES.has(name.trim().toLowerCase());
