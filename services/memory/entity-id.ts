/** Common alternative names, by normalised id → canonical id. Extended at run time by MEMORY_ALIASES. */
const BUILT_IN: Record<string, string> = {
  us: 'united_states', usa: 'united_states', u_s: 'united_states', u_s_a: 'united_states', united_states_of_america: 'united_states', america: 'united_states',
  uk: 'united_kingdom', u_k: 'united_kingdom', britain: 'united_kingdom',
  nyc: 'new_york_city', la: 'los_angeles', un: 'united_nations', eu: 'european_union', ussr: 'soviet_union', prc: 'china', peoples_republic_of_china: 'china',
};

/** Case, accents, punctuation, possessives and a leading article do not make a different entity. */
export function slug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, '')
    .replace(/ /g, '_');
}

export class EntityIds {
  private readonly aliases: Map<string, string>;

  /** `extra`: `alias=canonical` pairs, comma-separated (names are normalised too). */
  constructor(extra = '') {
    this.aliases = new Map(Object.entries(BUILT_IN));
    for (const pair of extra.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [alias, canonical] = pair.split('=').map((s) => s?.trim() ?? '');
      if (!alias || !canonical) throw new Error(`alias "${pair}" is not alias=canonical`);
      this.aliases.set(slug(alias), slug(canonical));
    }
  }

  /** The normalised id of an entity name ('' when nothing of the name is left). */
  id(name: string): string {
    const s = slug(name);
    return this.aliases.get(s) ?? s;
  }
}
