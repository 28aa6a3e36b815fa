import { escapeRegExp } from './draft.ts';

/** Where a statement says its entity was born: "Ken Herock (born July 16, 1941, in Pittsburgh)", "X was born in Bremen, Germany". */
export interface Birthplace {
  place: string;
  statement: number;
}

const PLACE = String.raw`\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]+){0,3}(?:,\s+\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]+){0,2})?`;

export function birthplaces(name: string, statements: string[]): Birthplace[] {
  const n = escapeRegExp(name.replace(/\s*\(.*\)$/, ''));
  const last = escapeRegExp(name.replace(/\s*\(.*\)$/, '').split(/\s+/).pop() ?? name);
  const out: Birthplace[] = [];
  statements.forEach((s, statement) => {
    // inside the brackets after the name: "(born March 6, 1946 in Cameroon)"
    const paren = new RegExp(`^(?:[\\p{Lu}][\\p{L}.'’-]*\\s+){0,4}?${last}\\s*\\((?:[^()]*;\\s*)?born\\s+[^()]*?\\b(?:1[0-9]\\d\\d|20[0-3]\\d),?\\s+in\\s+(${PLACE})\\)`, 'u').exec(s);
    const plain = new RegExp(`^${n}(?![\\p{L}\\p{N}])\\s+was\\s+born\\s+in\\s+(${PLACE})(?=\\s*(?:[.;]|,\\s+(?:and|to|on|where)\\b|\\s+(?:in|on|to)\\s+(?:a|an|the|\\d)|$))`, 'u').exec(s);
    const place = (paren && s.startsWith(name.split(/\s+/)[0]) ? paren[1] : plain?.[1])?.replace(/[.,]+$/, '');
    if (place && !/^(?:January|February|March|April|May|June|July|August|September|October|November|December)$/.test(place)) out.push({ place, statement });
  });
  return out;
}
