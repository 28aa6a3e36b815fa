import { z } from 'zod';
import type { LlmUsage, Step, Trajectory } from '../platform/generated/records.ts';
import { boundedRecord } from '../platform/llm/structured.ts';
import type { LlmClient } from '../platform/llm/types.ts';
import { sha256 } from '../platform/records.ts';
import { knownTools } from '../export/prompts.ts';
import type { Candidate } from './candidates.ts';

const SYSTEM = [
  'You help build training data for a research agent that answers questions with tools.',
  'Given the question, the steps taken so far and the action the agent actually took next, propose different',
  'actions it could plausibly have taken instead: each a short thought and one tool call. Make them varied',
  '(other queries, other pages, other tools); they need not be better than the real one. Never state the answer.',
].join(' ');

export const promptTemplateHash = sha256(`has-candidates-v1\n${SYSTEM}`).slice(0, 16);

/** Bounded in every direction (count, lengths, argument keys) so a grammar-constrained reply fits its budget. */
export function candidatesSchema(count: number) {
  const text = z.string().max(160);
  return z.object({
    candidates: z
      .array(
        z.object({
          thought: text,
          tool: z.enum(Object.keys(knownTools) as [string, ...string[]]),
          arguments: boundedRecord(z.string().max(16), z.union([text, z.array(text).max(3)]), 2),
        }),
      )
      .max(Math.max(1, count)),
  });
}

/** Alternatives from the policy model, sampled with the paper's rollout settings. */
export async function llmCandidates(
  llm: LlmClient,
  trajectory: Trajectory,
  step: Step,
  count: number,
  signal?: AbortSignal,
): Promise<{ candidates: Candidate[]; usage: LlmUsage }> {
  const history = trajectory.steps
    .filter((s) => s.index < step.index && s.tool_call)
    .map((s) => `Step ${s.index + 1}: ${s.thought.trim()}\nCall: ${s.tool_call!.name} ${s.tool_call!.arguments_json}\nResult: ${s.tool_response.slice(0, 600)}`)
    .join('\n\n');
  const user = [
    `Question: ${trajectory.question}`,
    `Tools: ${Object.values(knownTools).map((t) => `${t.name} ${JSON.stringify(t.parameters)}`).join('; ')}`,
    history ? `Steps so far:\n${history}` : 'No steps taken yet.',
    `The agent's actual next action: ${step.tool_call!.name} ${step.tool_call!.arguments_json}`,
    `Propose ${count} different alternatives as JSON {"candidates": [{"thought", "tool", "arguments"}]}.`,
  ].join('\n\n');
  const { value, response } = await llm.structured({
    purpose: 'has',
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: user },
    ],
    schema: candidatesSchema(count),
    schemaName: 'has_candidates',
    promptTemplateHash,
    temperature: 0.85,
    top_p: 0.95,
    repetition_penalty: 1.1,
    signal,
  });
  return {
    candidates: value.candidates.slice(0, count).map((c) => ({ thought: c.thought.trim(), name: c.tool.trim(), arguments: c.arguments })),
    usage: response.usage,
  };
}
