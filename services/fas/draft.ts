import type { Cluster, ClusterEntity, Evidence, LlmUsage, Operation } from '../platform/generated/records.ts';

export type Style = 'factual' | 'numeric' | 'multi_hop' | 'synthesis';
export const STYLES: Style[] = ['factual', 'numeric', 'multi_hop', 'synthesis'];

/** A question before checks and ids: what a strategy proposes. */
export interface QuestionDraft {
  style: Style;
  question: string;
  answer: string;
  evidence: Evidence[];
  entityIds: string[];
  operations: Operation[];
  /** Reasoning hops the question needs (1 for a lookup). */
  hops: number;
  /** First-hop result, used as the preliminary answer of the reasoning action. */
  intermediate?: string;
  /** What the question asks of its entity (an event verb: born, founded…, or an agent relation: directed…). */
  predicate?: string;
  /** Names the question hides (a bridge entity, a described entity): the gate checks none of them is named. */
  hidden?: string[];
  llm?: LlmUsage | null;
}

/** A question strategy: template or LLM, interchangeable in the fas stage. */
export interface QuestionStrategy {
  readonly name: 'template' | 'llm';
  propose(cluster: Cluster, random: () => number, signal?: AbortSignal): Promise<QuestionDraft[]>;
}

export function evidenceOf(entity: ClusterEntity, index: number): Evidence {
  return { entity_id: entity.entity_id, statement: entity.statements[index], doc_id: entity.statement_doc_ids[index] || entity.doc_ids[0] || '' };
}

export const YEAR = /\b(1[0-9]\d\d|20[0-3]\d)\b/;
export const YEARS = /\b(1[0-9]\d\d|20[0-3]\d)\b/g;
export const NUMBER = /(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d.,])\d+(?:\.\d+)?(?![\d,]*\d)/g;

export function pick<T>(items: readonly T[], random: () => number): T | undefined {
  return items.length ? items[Math.floor(random() * items.length)] : undefined;
}

export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function asQuestion(text: string): string {
  return `${text.trim().replace(/[.!;:,\s]+$/, '')}?`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
