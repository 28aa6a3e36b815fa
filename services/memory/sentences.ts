export interface Sentence {
  text: string;
  /** Offset of the sentence in the text it was split from. */
  start: number;
}

const ABBREVIATIONS = new Set(
  'mr mrs ms dr prof sr jr st mt ft no nos vol vols pp p ed eds inc ltd co corp bros dept univ gen col lt sgt capt cmdr adm gov sen rep rev hon jan feb mar apr jun jul aug sep sept oct nov dec vs etc al approx est ca fig c u.s e.g i.e'.split(' '),
);

/**
 * Splits text into sentences: at . ! ? (and line breaks) followed by a capital, digit or quote, except after
 * abbreviations (Dr., Jr., U.S.) and single initials (Edward D. Wood). Fast enough to run before the tagger.
 */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  const boundary = /([.!?]["'”’)]*)\s+(?=["'“‘(]?[\p{Lu}\p{N}])|\n+/gu;
  let start = 0;
  let match: RegExpExecArray | null;
  while ((match = boundary.exec(text))) {
    if (match[1]) {
      const before = text.slice(Math.max(start, match.index - 12), match.index);
      const lastWord = /([\p{L}.]+)$/u.exec(before)?.[1] ?? '';
      const bare = lastWord.toLowerCase().replace(/\.$/, '');
      if (match[1] === '.' && (ABBREVIATIONS.has(bare) || /^\p{Lu}$/u.test(lastWord) || /^(\p{L}\.)+\p{L}$/u.test(lastWord))) continue;
    }
    push(out, text, start, match.index + (match[1]?.length ?? 0));
    start = match.index + match[0].length;
  }
  push(out, text, start, text.length);
  return out;
}

function push(out: Sentence[], text: string, from: number, to: number): void {
  const raw = text.slice(from, to);
  const trimmed = raw.trim();
  if (trimmed.length < 2) return;
  out.push({ text: trimmed, start: from + raw.indexOf(trimmed) });
}
