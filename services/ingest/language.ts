import { data } from 'franc-min/data.js';
import { expressions } from 'franc-min/expressions.js';

/** franc's ISO 639-3 codes of the commonest languages, as the ISO 639-1 codes documents are tagged with. */
export const ISO1: Record<string, string> = {
  eng: 'en', bul: 'bg', deu: 'de', fra: 'fr', spa: 'es', por: 'pt', ita: 'it', nld: 'nl', rus: 'ru', ukr: 'uk',
  pol: 'pl', ces: 'cs', swe: 'sv', tur: 'tr', arb: 'ar', cmn: 'zh', jpn: 'ja', kor: 'ko', hin: 'hi', vie: 'vi',
  ind: 'id', ell: 'el', ron: 'ro', hun: 'hu', fin: 'fi', dan: 'da', nob: 'no', heb: 'he', fas: 'fa', tha: 'th',
};

/** Language of `text` (ISO 639-1 where known, else ISO 639-3, `und` when too short to tell). Looks at the first 2,000 characters. */
export function detectLanguage(text: string): string {
  const code = franc(text.slice(0, 2000), 20);
  return ISO1[code] ?? code;
}

/** franc's penalty for a trigram a language's model lacks. */
const MAX_DIFFERENCE = 300;

interface ScriptModel {
  languages: string[];
  /** trigram (as a number, see `code`) → [language index, rank in that language's model, …] */
  postings: Map<number, number[]>;
}
const models = new Map<string, ScriptModel>();

/** franc-min's models of one script, indexed by trigram (built on first use). */
function modelOf(script: string): ScriptModel | undefined {
  let model = models.get(script);
  if (model || !(script in data)) return model;
  const languages = Object.keys(data[script]);
  const postings = new Map<number, number[]>();
  languages.forEach((language, l) => {
    const ranks = new Map<string, number>();
    // franc keeps a trigram's first rank when its list repeats one
    data[script][language].split('|').forEach((trigram, rank) => ranks.has(trigram) || ranks.set(trigram, rank));
    for (const [trigram, rank] of ranks) {
      const key = code(trigram, 0);
      (postings.get(key) ?? postings.set(key, []).get(key)!).push(l, rank);
    }
  });
  model = { languages, postings };
  models.set(script, model);
  return model;
}

/**
 * franc-min 6's `franc(value, { minLength })`, with the same answer on every input, computed faster: franc sums,
 * for each language of the text's script, a difference over every trigram of the text (a lookup in each of up to 44
 * models); here each trigram is looked up once in an index of all the script's models and only the languages that
 * have it are touched (the others get franc's fixed penalty). Ties go to the language franc lists first, as its
 * stable sort does.
 */
function franc(value: string, minLength: number): string {
  if (!value || value.length < minLength) return 'und';
  value = value.slice(0, 2048);
  let script: string | undefined;
  let top = -1;
  for (const name in expressions) {
    const count = (value.match(expressions[name])?.length ?? 0) / value.length || 0;
    if (count > top) {
      top = count;
      script = name;
    }
  }
  const model = script === undefined ? undefined : modelOf(script);
  if (!model) return !script || top === 0 ? 'und' : script;
  const counts = new Map<number, number>();
  const padded = ` ${value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase()} `;
  for (let i = 0; i + 3 <= padded.length; i++) {
    const trigram = code(padded, i);
    counts.set(trigram, (counts.get(trigram) ?? 0) + 1);
  }
  const distances = new Array<number>(model.languages.length).fill(counts.size * MAX_DIFFERENCE);
  for (const [trigram, count] of counts) {
    const postings = model.postings.get(trigram);
    if (!postings) continue;
    for (let p = 0; p < postings.length; p += 2) distances[postings[p]] += Math.abs(count - postings[p + 1] - 1) - MAX_DIFFERENCE;
  }
  let best = 0;
  for (let l = 1; l < distances.length; l++) if (distances[l] < distances[best]) best = l;
  return model.languages[best];
}

/**
 * The three UTF-16 code units at `at` as one number, so counting trigrams makes no strings: an ASCII trigram as 21
 * bits (a small integer, which V8 neither allocates nor hashes as a double: most trigrams of most texts), any other
 * as 2^21 + its 48 bits. Distinct trigrams get distinct numbers.
 */
const code = (text: string, at: number) => {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const c = text.charCodeAt(at + 2);
  return (a | b | c) < 0x80 ? (a << 14) | (b << 7) | c : 0x20_0000 + a * 0x1_0000_0000 + b * 0x1_0000 + c;
};
