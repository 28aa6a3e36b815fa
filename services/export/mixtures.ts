import type { Action, Question, Trajectory } from '../platform/generated/records.ts';
import { seededRandom } from '../platform/runtime/random.ts';
import { renderTrajectory, type ChatFormat, type ChatMessage, type ChatSample } from './render.ts';

/**
 * The SFT mixtures compared in the AgentFounder paper, as export options:
 * - `sft-a`: two stages — stage 1 general chat (question → reasoning → answer, no tools), stage 2 the agent's
 *   ReAct trajectories with their full reasoning.
 * - `sft-b`: two stages, each a shuffled mix of general chat and full-reasoning agent trajectories; the
 *   shorter half of the samples goes to stage 1 and the longer half to stage 2 (the 40K → 128K progression
 *   of the Tongyi recipe, scaled to whatever lengths the round has).
 * - `sft-c`: as sft-b, but every agent thought is cut down to a one-sentence summary.
 * General chat comes from the round's FAS reasoning actions (decompose → preliminary → final answer) joined
 * to their questions; a question without a reasoning action becomes a plain question/answer pair.
 */
export const mixtureNames = ['sft-a', 'sft-b', 'sft-c'] as const;
export type MixtureName = (typeof mixtureNames)[number];

export interface SftItem {
  kind: 'general' | 'agent';
  /** id of the record the sample came from */
  source_id: string;
  sample: ChatSample;
}

export interface MixtureStage {
  stage: 1 | 2;
  items: SftItem[];
}

export function agentItems(trajectories: Trajectory[], format: ChatFormat, summarise = false): SftItem[] {
  return trajectories.map((t) => ({
    kind: 'agent' as const,
    source_id: t.id,
    sample: renderTrajectory(t, format, summarise ? { thought: summariseThought } : {}),
  }));
}

export function generalItems(questions: Question[], actions: Action[], format: ChatFormat): SftItem[] {
  const reasoning = new Map(actions.filter((a) => a.kind === 'reasoning').map((a) => [a.question_id, a]));
  return questions.map((q) => {
    const action = reasoning.get(q.id);
    const thought = action ? (action.items.length ? action.items.join('\n') : action.text) : '';
    const answer = action?.final_answer || q.answer;
    const assistant: ChatMessage =
      format === 'openai'
        ? { role: 'assistant', content: answer, ...(thought ? { reasoning_content: thought } : {}) }
        : { role: 'assistant', content: thought ? `<think>\n${thought}\n</think>\n${answer}` : answer };
    return { kind: 'general' as const, source_id: action?.id ?? q.id, sample: { messages: [{ role: 'user', content: q.question }, assistant] } };
  });
}

/** Splits the round's samples into the two training stages of a mixture, deterministically for `seed`. */
export function mixStages(mixture: MixtureName, general: SftItem[], agent: SftItem[], seed: string): MixtureStage[] {
  if (mixture === 'sft-a') return [{ stage: 1, items: general }, { stage: 2, items: agent }];
  const all = [...general, ...agent].map((item, order) => ({ item, order, length: JSON.stringify(item.sample.messages).length }));
  all.sort((a, b) => a.length - b.length || a.order - b.order);
  const cut = Math.ceil(all.length / 2);
  const random = seededRandom(`${mixture}:${seed}`);
  return [
    { stage: 1, items: shuffle(all.slice(0, cut).map((x) => x.item), random) },
    { stage: 2, items: shuffle(all.slice(cut).map((x) => x.item), random) },
  ];
}

/** SFT-C's "highly summarised" reasoning: the first sentence of a thought, at most 160 characters. */
export function summariseThought(thought: string): string {
  const flat = thought.replace(/\s+/g, ' ').trim();
  const sentence = flat.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? flat;
  return sentence.length > 160 ? `${sentence.slice(0, 157).trimEnd()}…` : sentence;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
