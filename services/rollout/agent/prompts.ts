import type { ChatMessage, ToolSpec } from '../../platform/llm/types.ts';
import { sha256 } from '../../platform/records.ts';
import type { SeenObservation } from './types.ts';

function toolBlock(tools: ToolSpec[]): string {
  const lines = tools.map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  return `# Tools\n\nYou may call one tool per turn. Tool signatures:\n<tools>\n${lines.join('\n')}\n</tools>\n\nIf the server does not take native tool calls, write the call as JSON inside <tool_call></tool_call>: {"name": <tool-name>, "arguments": <args-object>}.`;
}

export function reactSystemPrompt(tools: ToolSpec[]): string {
  return `You are a careful research assistant. Answer the user's question by searching and reading sources with the
tools below. Think before each action inside <think></think>. When you are sure, give a short final answer (an
entity, a number, a date, or yes/no; no explanation) inside <answer></answer>.

${toolBlock(tools)}`;
}

export function iterResearchSystemPrompt(tools: ToolSpec[]): string {
  return `You are a research agent that works in rounds. Each round you see only the question, your report so far,
and your last action with its observation. Reply with:
<think>your reasoning for this round (not kept)</think>
<report>the updated report: every fact found so far that matters for the question, with its source; this is your
only memory, so carry forward what is still needed</report>
and then either one tool call or the final answer inside <answer></answer> (short: an entity, a number, a date or
yes/no).

${toolBlock(tools)}`;
}

export const FORCED_ANSWER_INSTRUCTION =
  'You have reached the context limit. Stop calling tools. Using what you have found, reply with <think>…</think> and then your best final answer inside <answer></answer>.';

export function workspaceMessage(question: string, report: string, last: SeenObservation | undefined): string {
  const action = last ? `${last.name} ${JSON.stringify(last.arguments)}` : '(none yet)';
  const observation = last ? last.response : '(none yet)';
  return `Question: ${question}\n\nReport so far:\n${report.trim() || '(empty)'}\n\nLast action: ${action}\n\nObservation:\n${observation}`;
}

export function reactStart(question: string, tools: ToolSpec[]): ChatMessage[] {
  return [
    { role: 'system', content: reactSystemPrompt(tools) },
    { role: 'user', content: question },
  ];
}

export function iterWorkspace(question: string, tools: ToolSpec[], report: string, last: SeenObservation | undefined): ChatMessage[] {
  return [
    { role: 'system', content: iterResearchSystemPrompt(tools) },
    { role: 'user', content: workspaceMessage(question, report, last) },
  ];
}

/** Hash of the prompt templates in force (recorded on trajectories that a model produced). */
export const PROMPT_TEMPLATE_HASH = sha256(reactSystemPrompt([]) + iterResearchSystemPrompt([]) + FORCED_ANSWER_INSTRUCTION).slice(0, 16);
