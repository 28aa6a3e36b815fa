import type { Document } from '../../platform/generated/records.ts';
import type { EntityIds } from '../entity-id.ts';
import { splitSentences } from '../sentences.ts';
import { findMentions, typeOfName, withoutDisambiguation, type Mention } from './mentions.ts';
import type { Extraction, ExtractedFact, FactExtractor } from './types.ts';

interface Known {
  id: string;
  name: string;
  type: string;
  tokens: string[];
  aliases: Set<string>;
}

const LEADING_ADVERBIAL = /^(?:(?:In|On|At|During|After|Before|By|From|Since|Following|Under|Between|Around|Until|As of|Throughout)\b[^,]{0,80},\s*)+/;
const PRONOUN = /^(he|she|it|they)\b/i;
const POSSESSIVE = /^(his|her|its|their)\b/i;
const DESCRIPTION = /^The (\p{Ll}[\p{Ll}-]*) (is|was|are|were|has|had|have|runs|ran|became|remains|remained)\b/u;

/**
 * Deterministic extraction: split sentences, tag named entities with compromise, and anchor each sentence to
 * its subject — the name it starts with (after a leading "In 1950," clause), or, for a sentence that starts
 * with a pronoun or "The <noun> was…", the document's topic (its title, else the last subject). Such
 * sentences are rewritten with the name ("He directed…" → "Ed Wood directed…"), which is the densification
 * the memory keeps. Names later shortened ("Wood") resolve to the full name seen earlier in the document.
 */
export class NlpExtractor implements FactExtractor {
  readonly name = 'nlp' as const;

  constructor(
    private readonly ids: EntityIds,
    private readonly maxSentences = 40,
  ) {}

  async extract(doc: Document): Promise<Extraction> {
    const sentences = splitSentences(doc.text).slice(0, this.maxSentences);
    if (sentences.length === 0) return { facts: [], llm: null, rejected: 0 };
    const span = doc.text.slice(0, sentences[sentences.length - 1].start + sentences[sentences.length - 1].text.length);
    const mentions = findMentions(span);
    const known: Known[] = [];
    const title = doc.title.replace(/\s+[|–—-]\s+.*$/, '').trim();
    let topic: Known | undefined = title ? this.remember(known, title, typeOfName(title)) : undefined;
    const facts: ExtractedFact[] = [];
    for (const sentence of sentences) {
      const inSentence = mentions.filter((m) => m.start >= sentence.start && m.end <= sentence.start + sentence.text.length);
      const resolved = inSentence.map((m) => ({ mention: m, entity: this.resolve(known, m, topic) }));
      const body = sentence.text.replace(LEADING_ADVERBIAL, '');
      const bodyOffset = sentence.start + sentence.text.length - body.length;
      let subject: Known | undefined;
      let statement = sentence.text;
      const first = resolved.find((r) => r.mention.start >= bodyOffset && r.mention.start <= bodyOffset + 4);
      if (first) {
        subject = first.entity;
      } else if (topic && startsWithName(body, topic)) {
        // the topic's name where the tagger saw none ('"Evermore" is a song…' on the page "Evermore (… song)")
        subject = topic;
      } else if (topic && (PRONOUN.test(body) || POSSESSIVE.test(body) || DESCRIPTION.test(body))) {
        subject = topic;
        statement = rewriteLeading(sentence.text, body, topic.name);
      } else if (topic && resolved.some((r) => r.entity.id === topic!.id)) {
        subject = topic;
      }
      if (!subject || !/\s/.test(statement)) continue;
      topic ??= subject;
      const related = new Map<string, string>();
      for (const r of resolved) if (r.entity.id !== subject.id) related.set(r.entity.id, r.entity.name);
      facts.push({
        entityName: subject.name,
        entityType: subject.type,
        aliases: [...subject.aliases],
        statement,
        related: [...related.values()].map((name) => ({ name, relation: '' })),
      });
    }
    return { facts, llm: null, rejected: 0 };
  }

  private remember(known: Known[], name: string, type: string): Known {
    const id = this.ids.id(name);
    const existing = known.find((k) => k.id === id);
    if (existing) return existing;
    const entry: Known = { id, name, type, tokens: nameTokens(name), aliases: new Set() };
    known.push(entry);
    return entry;
  }

  /** A mention is an earlier entity when it is that entity's name, or a part of it ("Wood", "Edward Davis Wood"). */
  private resolve(known: Known[], mention: Mention, topic: Known | undefined): Known {
    const id = this.ids.id(mention.name);
    const tokens = nameTokens(mention.name);
    const same = known.find((k) => k.id === id);
    if (same) return same;
    const containing = known.find((k) => k.tokens.length >= tokens.length && tokens.every((t) => k.tokens.includes(t)));
    if (containing) return containing;
    // the full name of the topic in its first sentence ("Edward Davis Wood Jr." for the page "Ed Wood"): an alias
    if (topic?.type === 'person' && mention.type === 'person' && tokens.length > 1 && topic.tokens.length > 1 && tokens.includes(topic.tokens[topic.tokens.length - 1])) {
      topic.tokens = [...new Set([...topic.tokens, ...tokens])];
      topic.aliases.add(mention.name);
      return topic;
    }
    return this.remember(known, mention.name, mention.type);
  }
}

/**
 * The words a name is matched by, without the disambiguation of a page title: "Old Trafford, Greater Manchester" and
 * "Marco da Silva (French footballer)" are matched by "Old Trafford" and "Marco da Silva" ("Trafford" is a part of the
 * first, "Greater Manchester" is not).
 */
function nameTokens(name: string): string[] {
  return withoutDisambiguation(name).toLowerCase().split(/[\s,;:]+/).filter(Boolean);
}

/**
 * Whether `body` opens with the words of `entity`'s name (quoted or not) and the name ends there: the next word is
 * not capitalised ("Gorse Hill Park is a park…" is not about "Gorse Hill").
 */
function startsWithName(body: string, entity: Known): boolean {
  const words = body.replace(/["“”‘’]|'(?!s\b)/g, '').slice(0, 300).split(/[\s,;:]+/).filter(Boolean);
  if (entity.tokens.length === 0 || words.length < entity.tokens.length) return false;
  if (!entity.tokens.every((t, i) => words[i].toLowerCase() === t)) return false;
  const next = words[entity.tokens.length];
  return next === undefined || !/^\p{Lu}/u.test(next);
}

function rewriteLeading(sentence: string, body: string, name: string): string {
  const prefix = sentence.slice(0, sentence.length - body.length);
  let rewritten = body;
  if (PRONOUN.test(body)) rewritten = body.replace(PRONOUN, name);
  else if (POSSESSIVE.test(body)) rewritten = body.replace(POSSESSIVE, `${name}'s`);
  else if (DESCRIPTION.test(body)) rewritten = body.replace(/^The \p{Ll}[\p{Ll}-]*/u, name);
  return prefix + rewritten;
}
