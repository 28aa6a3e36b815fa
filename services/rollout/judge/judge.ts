import { z } from 'zod';
import type { Judgement, LlmUsage } from '../../platform/generated/records.ts';
import type { LlmClient } from '../../platform/llm/types.ts';
import { sha256 } from '../../platform/records.ts';
import { exactMatch, tokenF1 } from './normalize.ts';

export interface JudgeInput {
  question: string;
  reference: string;
  prediction: string;
}

export interface JudgeResult {
  judgement: Judgement;
  reward: number;
  llm: LlmUsage | null;
}

/** What the judge is shown to grade a correct rollout's reasoning: its tool calls, thoughts and the evidence found. */
export interface ReasoningInput extends JudgeInput {
  tools: string;
  thoughts: string[];
  evidence: string;
}

export interface ReasoningGrade {
  sound: boolean;
  rationale: string;
  llm: LlmUsage | null;
}

export interface Judge {
  readonly kind: string;
  judge(input: JudgeInput, signal?: AbortSignal): Promise<JudgeResult>;
  /** Only model judges grade reasoning; the deterministic process check runs either way. */
  gradeReasoning?(input: ReasoningInput, signal?: AbortSignal): Promise<ReasoningGrade>;
}

export interface JudgeOptions {
  /** A prediction counts as correct at exact match, or at a token F1 at least this high. */
  f1Threshold: number;
  /** binary: reward = correct ? 1 : 0 (the reference's choice); f1: reward = token F1. */
  reward: 'binary' | 'f1';
}

function scores(input: JudgeInput) {
  return { em: exactMatch(input.prediction, input.reference), f1: tokenF1(input.prediction, input.reference) };
}

/** Exact match + token F1: needs no model, so the flywheel and its tests run without one. */
export function lexicalJudge(options: JudgeOptions): Judge {
  return {
    kind: 'exact_f1',
    async judge(input) {
      const { em, f1 } = scores(input);
      const correct = input.prediction.trim() !== '' && (em === 1 || f1 >= options.f1Threshold);
      return {
        judgement: { kind: 'exact_f1', correct, em, f1, rationale: `em=${em} f1=${f1.toFixed(3)} threshold=${options.f1Threshold}` },
        reward: options.reward === 'f1' ? f1 : correct ? 1 : 0,
        llm: null,
      };
    },
  };
}

/** Bounded, so a grammar-constrained verdict always fits the budget sized from the schema. */
export const verdictSchema = z.object({ correct: z.boolean(), rationale: z.string().max(200).default('') });

const JUDGE_PROMPT = `You grade answers to questions. Decide whether the predicted answer means the same as the
reference answer (aliases, spelling variants and extra harmless detail are fine; a different entity, number or
yes/no is wrong; an empty or evasive answer is wrong). Reply with JSON: {"correct": true|false, "rationale": "one short sentence"}.`;
const JUDGE_TEMPLATE_HASH = sha256(JUDGE_PROMPT).slice(0, 16);

const reasoningSchema = z.object({ sound: z.boolean(), rationale: z.string().default('') });

const REASONING_PROMPT = `You review an agent's research trajectory that reached the correct answer, to decide whether it is a
sample worth imitating. Sound means: it looked up the asked attribute of each entity the question is about, the
answer (or every value it computed from) comes from a tool response about that attribute, it did not guess, did
not search for the answer before working it out, and its thoughts match what it did. Reply with JSON:
{"sound": true|false, "rationale": "..."}.`;
const REASONING_TEMPLATE_HASH = sha256(REASONING_PROMPT).slice(0, 16);

/** An LLM judge (after the reference's GAIA/WebWalker graders); EM/F1 are still recorded beside its verdict. */
export function llmJudge(client: LlmClient): Judge {
  return {
    kind: 'llm',
    async judge(input, signal) {
      const { em, f1 } = scores(input);
      if (!input.prediction.trim()) {
        return { judgement: { kind: 'llm', correct: false, em, f1, rationale: 'empty prediction' }, reward: 0, llm: null };
      }
      const { value, response } = await client.structured({
        purpose: 'judge',
        schema: verdictSchema,
        schemaName: 'verdict',
        temperature: 0,
        promptTemplateHash: JUDGE_TEMPLATE_HASH,
        signal,
        messages: [
          { role: 'system', content: JUDGE_PROMPT },
          { role: 'user', content: `Question: ${input.question}\nReference answer: ${input.reference}\nPredicted answer: ${input.prediction}` },
        ],
      });
      return {
        judgement: { kind: 'llm', correct: value.correct, em, f1, rationale: value.rationale },
        reward: value.correct ? 1 : 0, // a model's verdict is binary whatever ROLLOUT_REWARD says
        llm: response.usage,
      };
    },
    async gradeReasoning(input, signal) {
      const { value, response } = await client.structured({
        purpose: 'judge',
        schema: reasoningSchema,
        schemaName: 'reasoning_grade',
        temperature: 0,
        promptTemplateHash: REASONING_TEMPLATE_HASH,
        signal,
        messages: [
          { role: 'system', content: REASONING_PROMPT },
          {
            role: 'user',
            content: `Question: ${input.question}\nReference answer: ${input.reference}\nFinal answer: ${input.prediction}\nTool calls: ${input.tools}\nThoughts:\n${input.thoughts.map((t, i) => `${i + 1}. ${t}`).join('\n')}\nEvidence the answer rests on: ${input.evidence}`,
          },
        ],
      });
      return { sound: value.sound, rationale: value.rationale, llm: response.usage };
    },
  };
}
