import type { Step, Trajectory } from '../platform/generated/records.ts';
import { chatSystemPrompt, isoDate, knownTools, tagSystemPrompt, toolSignatures, type ToolSignature } from './prompts.ts';

/**
 * Two renderings of the neutral trajectory:
 * - `openai`: chat messages with `tool_calls` (arguments as a JSON string) and `tool` turns; the thought of
 *   each assistant turn travels in `reasoning_content`, as reasoning servers return it and Qwen-style chat
 *   templates read it.
 * - `tongyi`: the tag format the Tongyi agents train on: assistant turns are `<think>…</think>` followed by
 *   `<tool_call>{json}</tool_call>` or `<answer>…</answer>`; tool results come back as a *user* turn
 *   wrapped in `<tool_response>`; the python tool's code goes in a `<code>` block with empty arguments.
 */
export type ChatFormat = 'openai' | 'tongyi';

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  reasoning_content?: string;
  tool_calls?: OpenAiToolCall[];
  tool_call_id?: string;
}

export interface ChatSample {
  messages: ChatMessage[];
  tools?: Array<{ type: 'function'; function: ToolSignature }>;
}

export interface RenderOptions {
  /** Replaces each thought (SFT-C summarises reasoning). */
  thought?: (text: string) => string;
}

export function renderTrajectory(t: Trajectory, format: ChatFormat, options: RenderOptions = {}): ChatSample {
  return format === 'openai' ? renderOpenAi(t, options) : { messages: renderTags(t, options) };
}

export function renderOpenAi(t: Trajectory, options: RenderOptions = {}): ChatSample {
  const think = options.thought ?? ((s: string) => s);
  const tools = toolSignatures(toolNames(t));
  const messages: ChatMessage[] = [
    { role: 'system', content: chatSystemPrompt(isoDate(t.created_at)) },
    { role: 'user', content: t.question },
  ];
  for (const step of t.steps) {
    const reasoning = think(stepThought(step));
    if (step.tool_call) {
      const id = `call_${step.index}`;
      messages.push({
        role: 'assistant',
        content: '',
        ...(reasoning ? { reasoning_content: reasoning } : {}),
        tool_calls: [{ id, type: 'function', function: { name: step.tool_call.name, arguments: normaliseArguments(step.tool_call.arguments_json) } }],
      });
      messages.push({ role: 'tool', tool_call_id: id, content: step.tool_response });
    } else if (step.answer !== null) {
      messages.push({ role: 'assistant', content: step.answer, ...(reasoning ? { reasoning_content: reasoning } : {}) });
    }
  }
  return { messages, tools: tools.map((fn) => ({ type: 'function' as const, function: fn })) };
}

export function renderTags(t: Trajectory, options: RenderOptions = {}): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: tagSystemPrompt(toolSignatures(toolNames(t)), isoDate(t.created_at)) },
    { role: 'user', content: t.question },
  ];
  for (const step of t.steps) {
    const turn = assistantTagTurn(step, options);
    if (!turn) continue;
    messages.push({ role: 'assistant', content: turn });
    if (step.tool_call) messages.push({ role: 'user', content: toolResponseTag(step.tool_response) });
  }
  return messages;
}

/** One assistant turn in the tag format, or null for a step with neither a call nor an answer. */
export function assistantTagTurn(step: Step, options: RenderOptions = {}): string | null {
  const think = options.thought ?? ((s: string) => s);
  const parts = [`<think>\n${think(stepThought(step))}\n</think>`];
  if (step.report) parts.push(`<report>\n${step.report}\n</report>`);
  if (step.tool_call) parts.push(toolCallTag(step.tool_call.name, step.tool_call.arguments_json));
  else if (step.answer !== null) parts.push(`<answer>${step.answer}</answer>`);
  else return null;
  return parts.join('\n');
}

export function toolCallTag(name: string, argumentsJson: string): string {
  const args = parseArguments(argumentsJson);
  if (/^python/i.test(name) && typeof args.code === 'string') {
    return `<tool_call>\n${JSON.stringify({ name, arguments: {} })}\n<code>\n${args.code}\n</code>\n</tool_call>`;
  }
  return `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
}

export function toolResponseTag(response: string): string {
  return `<tool_response>\n${response}\n</tool_response>`;
}

/**
 * A whole trajectory as one plain text in the tag format (for CPT): the question, then every turn. The
 * header says where it came from so a reader of the corpus can tell failures from successes.
 */
export function trajectoryText(t: Trajectory, header?: string): string {
  const body = renderTags(t)
    .slice(1)
    .map((m) => (m.role === 'user' && !m.content.startsWith('<tool_response>') ? `Question: ${m.content}` : m.content));
  return [header, ...body].filter(Boolean).join('\n');
}

export function parseArguments(argumentsJson: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(argumentsJson) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: argumentsJson };
  }
}

/** Arguments as a compact JSON string of an object, whatever the stored form was. */
function normaliseArguments(argumentsJson: string): string {
  return JSON.stringify(parseArguments(argumentsJson));
}

function stepThought(step: Step): string {
  return step.thought.trim();
}

/** The agent had every known tool on offer, plus any other it called. */
function toolNames(t: Trajectory): string[] {
  return [...Object.keys(knownTools), ...t.steps.flatMap((s) => (s.tool_call ? [s.tool_call.name] : []))];
}
