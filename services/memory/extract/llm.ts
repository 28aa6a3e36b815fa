import { z } from 'zod';
import type { Document, LlmUsage } from '../../platform/generated/records.ts';
import { addUsage, type LlmClient } from '../../platform/llm/types.ts';
import { sha256 } from '../../platform/records.ts';
import type { Extraction, FactExtractor } from './types.ts';

/**
 * Every list and string is bounded, so a grammar-constrained reply always fits the completion budget the client
 * sizes from the schema (an unbounded list let small models write facts until max_tokens cut the JSON).
 */
export function llmFactsSchema(maxFacts = DEFAULT_MAX_FACTS) {
  const name = z.string().min(1).max(80);
  return z.object({
    facts: z
      .array(
        z.object({
          entity: name,
          type: z.string().max(24).default(''),
          aliases: z.array(name).max(2).default([]),
          statement: z.string().min(8).max(200),
          related: z.array(z.object({ entity: name, relation: z.string().max(32).default('') })).max(2).default([]),
        }),
      )
      .max(maxFacts),
  });
}
export const DEFAULT_MAX_FACTS = 4;

const SYSTEM = [
  'You turn a document into entity-anchored memory.',
  'Return JSON {"facts": [...]}: one item per declarative statement the document makes, the most important first.',
  'Each item: "entity" (the name the statement is about, as written in full), "type" (person, place, organization, work, event or thing),',
  '"aliases" (other names the document uses for it), "statement" (one self-contained sentence: no pronouns, names written out,',
  'dates and numbers kept exactly), "related" (other named entities in the statement, each with a short snake_case "relation" from',
  'the entity to it, e.g. directed, born_in, member_of).',
  'Only state what the document says. No opinions, no questions.',
].join(' ');

export const llmExtractTemplateHash = sha256(`memory-extract-v2\n${SYSTEM}`).slice(0, 16);

/**
 * LLM extraction with structured output validated by zod (the client retries a reply that does not parse).
 * A statement whose content words are mostly absent from the document is discarded as unsupported.
 */
export class LlmExtractor implements FactExtractor {
  readonly name = 'llm' as const;

  private readonly schema: ReturnType<typeof llmFactsSchema>;

  constructor(
    private readonly client: LlmClient,
    private readonly maxChars = 6000,
    private readonly maxFacts = DEFAULT_MAX_FACTS,
  ) {
    this.schema = llmFactsSchema(maxFacts);
  }

  async extract(doc: Document, signal?: AbortSignal): Promise<Extraction> {
    const { value, response } = await this.client.structured({
      purpose: 'memory',
      schema: this.schema,
      schemaName: 'memory_facts',
      promptTemplateHash: llmExtractTemplateHash,
      temperature: 0,
      signal,
      messages: [
        { role: 'system', content: `${SYSTEM} At most ${this.maxFacts} facts.` },
        { role: 'user', content: `Title: ${doc.title || '(none)'}\n\n${doc.text.slice(0, this.maxChars)}` },
      ],
    });
    const docWords = contentWords(doc.text);
    let rejected = 0;
    const facts = value.facts.filter((f) => {
      const words = contentWords(f.statement);
      const supported = [...words].filter((w) => docWords.has(w)).length / Math.max(1, words.size);
      if (supported < 0.6) rejected++;
      return supported >= 0.6;
    });
    const llm: LlmUsage = addUsage(null, { ...response.usage, prompt_template_hash: llmExtractTemplateHash });
    return {
      facts: facts.map((f) => ({
        entityName: f.entity.trim(),
        entityType: f.type.toLowerCase(),
        aliases: f.aliases,
        statement: f.statement.trim(),
        related: f.related.map((r) => ({ name: r.entity.trim(), relation: r.relation.trim() })),
      })),
      llm,
      rejected,
    };
  }
}

function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !STOP.has(w)));
}

const STOP = new Set('the and was were are has had have with for from that this which who its his her their also into than then there been being not but'.split(' '));
