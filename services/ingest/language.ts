import { franc } from 'franc-min';

/** franc's ISO 639-3 codes of the commonest languages, as the ISO 639-1 codes documents are tagged with. */
const ISO1: Record<string, string> = {
  eng: 'en', bul: 'bg', deu: 'de', fra: 'fr', spa: 'es', por: 'pt', ita: 'it', nld: 'nl', rus: 'ru', ukr: 'uk',
  pol: 'pl', ces: 'cs', swe: 'sv', tur: 'tr', arb: 'ar', cmn: 'zh', jpn: 'ja', kor: 'ko', hin: 'hi', vie: 'vi',
  ind: 'id', ell: 'el', ron: 'ro', hun: 'hu', fin: 'fi', dan: 'da', nob: 'no', heb: 'he', fas: 'fa', tha: 'th',
};

/** Language of `text` (ISO 639-1 where known, else ISO 639-3, `und` when too short to tell). Looks at the first 2,000 characters. */
export function detectLanguage(text: string): string {
  const code = franc(text.slice(0, 2000), { minLength: 20 });
  return ISO1[code] ?? code;
}
