import type { Document, LlmUsage } from '../../platform/generated/records.ts';

/** One statement anchored to an entity, as an extractor found it (ids are assigned by the stage). */
export interface ExtractedFact {
  entityName: string;
  entityType: string;
  /** Other names the document used for the entity. */
  aliases: string[];
  statement: string;
  /** Other entities the statement names, with an explicit relation label when the extractor gives one. */
  related: Array<{ name: string; relation: string }>;
}

export interface Extraction {
  facts: ExtractedFact[];
  /** Set when a model was used. */
  llm: LlmUsage | null;
  /** Statements discarded because the document does not support them (LLM strategy). */
  rejected: number;
}

/** A fact-extraction strategy: the deterministic NLP one or the LLM one, interchangeable in the memory stage. */
export interface FactExtractor {
  readonly name: 'nlp' | 'llm';
  extract(doc: Document, signal?: AbortSignal): Promise<Extraction>;
}
