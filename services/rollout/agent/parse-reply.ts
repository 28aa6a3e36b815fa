import JSON5 from 'json5';
import type { ToolInvocation } from './types.ts';

export interface ParsedReply {
  thought: string;
  report?: string;
  answer?: string;
  call?: ToolInvocation;
  malformed?: string;
}

function tag(text: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)(?:</${name}>|$)`).exec(text);
  return match ? match[1].trim() : undefined;
}

/**
 * Reads a tag-format reply (`<think>`, `<report>`, `<tool_call>{json}</tool_call>`, `<answer>`): the format the
 * Tongyi models write when the server does not turn calls into native tool_calls. The call JSON is read
 * leniently (json5), as the reference does; PythonInterpreter may carry its code in a `<code>` block.
 */
export function parseReply(content: string): ParsedReply {
  const text = content.split('<tool_response>')[0]; // a model that starts inventing the observation is cut there
  const thought = tag(text, 'think') ?? text.replace(/<(report|tool_call|answer)>[\s\S]*$/, '').trim();
  const report = tag(text, 'report');
  const answer = /<answer>/.test(text) ? tag(text, 'answer') : undefined;
  if (answer !== undefined) return { thought, report, answer };
  const rawCall = tag(text, 'tool_call');
  if (rawCall === undefined) return { thought, report, malformed: 'the reply has neither <tool_call> nor <answer>' };
  const code = tag(rawCall, 'code');
  const json = rawCall.replace(/<code>[\s\S]*?(<\/code>|$)/, '').trim();
  try {
    const parsed = JSON5.parse(json) as { name?: unknown; arguments?: unknown };
    if (typeof parsed.name !== 'string') return { thought, report, malformed: 'tool call without a name' };
    let args = typeof parsed.arguments === 'string' ? (JSON5.parse(parsed.arguments) as unknown) : (parsed.arguments ?? {});
    if (typeof args !== 'object' || args === null || Array.isArray(args)) args = {};
    const call: ToolInvocation = { name: parsed.name, arguments: { ...(args as Record<string, unknown>), ...(code !== undefined ? { code } : {}) } };
    return { thought, report, call };
  } catch (error) {
    return { thought, report, malformed: `tool call is not valid JSON: ${(error as Error).message}` };
  }
}
