import type { LlmUsage } from '../../platform/generated/records.ts';
import type { ChatMessage } from '../../platform/llm/types.ts';

export type AgentMode = 'react' | 'iterresearch';

export interface ToolInvocation {
  name: string;
  arguments: Record<string, unknown>;
}

export interface SeenObservation extends ToolInvocation {
  response: string;
}

/** What the policy is shown at one step. */
export interface PolicyView {
  mode: AgentMode;
  question: string;
  /** The model's context: the whole history (ReAct) or the rebuilt workspace (IterResearch). */
  messages: ChatMessage[];
  /** IterResearch: the report carried over from the previous round ('' in ReAct). */
  report: string;
  /** The observations in view: all of them (ReAct) or only the last one (IterResearch). */
  observations: SeenObservation[];
  /** The context is over budget: the policy must answer now, without tools. */
  forceAnswer: boolean;
  stepIndex: number;
  signal?: AbortSignal;
}

/** One step's output: a thought and either a tool call or a final answer (IterResearch adds the new report). */
export interface Decision {
  thought: string;
  report?: string;
  call?: ToolInvocation;
  answer?: string;
  /** Set when the reply held neither a readable call nor an answer. */
  malformed?: string;
  inputTokens: number;
  outputTokens: number;
  llm?: LlmUsage;
}

export interface PolicySession {
  decide(view: PolicyView): Promise<Decision>;
}

export interface SamplingSettings {
  temperature: number;
  top_p: number;
  repetition_penalty: number;
}

/** Chooses actions. One session per rollout; `random` is seeded by question and rollout index. */
export interface Policy {
  readonly model: string;
  readonly modelVersion: string;
  readonly sampling: SamplingSettings;
  start(input: { question: string; rolloutIndex: number; random: () => number; seed: number }): PolicySession;
}
