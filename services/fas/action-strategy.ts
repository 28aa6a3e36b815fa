import type { LlmUsage, Question } from '../platform/generated/records.ts';
import { planningAction, reasoningAction } from './actions.ts';

/** A planning or reasoning action as fw.fas.actions stores it. */
export interface ActionDraft {
  items: string[];
  text: string;
  preliminary: string;
  final: string;
  llm: LlmUsage | null;
}

/** Writes the two actions of a kept question: K planning perspectives, and decompose → preliminary → check → final. */
export interface ActionStrategy {
  readonly name: 'template' | 'llm';
  planning(q: Question, names: Map<string, string>, k: number, random: () => number, signal?: AbortSignal): Promise<ActionDraft>;
  reasoning(q: Question, names: Map<string, string>, preliminary: string, signal?: AbortSignal): Promise<ActionDraft>;
}

/** The deterministic actions of actions.ts. */
export class TemplateActions implements ActionStrategy {
  readonly name = 'template' as const;

  async planning(q: Question, names: Map<string, string>, k: number, random: () => number): Promise<ActionDraft> {
    const plan = planningAction(q, q.entity_ids.map((e) => names.get(e) ?? e), k, random);
    return { items: plan.items, text: plan.text, preliminary: '', final: '', llm: null };
  }

  async reasoning(q: Question, names: Map<string, string>, preliminary: string): Promise<ActionDraft> {
    const r = reasoningAction(q, names, preliminary);
    return { items: r.items, text: r.text, preliminary: r.preliminary, final: r.final, llm: null };
  }
}
