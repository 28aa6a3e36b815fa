/**
 * The system prompt and tool signatures the exports put in front of a trajectory. The wording is ours; the
 * structure follows the Tongyi DeepResearch agent (persona, a `# Tools` block of JSON signatures inside
 * <tools>, calls as JSON inside <tool_call>, the final answer inside <answer>, the date last).
 */
export interface ToolSignature {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

const stringArray = { type: 'array', items: { type: 'string' }, minItems: 1 };

/** Signatures of the agent's tools under the names the rollout service gives them; unknown names get an open schema. */
export const knownTools: Record<string, ToolSignature> = {
  search: {
    name: 'search',
    description: 'Search the corpus (an offline web). Several queries may be given; each returns the best-matching pages with snippets.',
    parameters: { type: 'object', properties: { query: { ...stringArray, description: 'queries to run' } }, required: ['query'] },
  },
  visit: {
    name: 'visit',
    description: 'Open one or more pages and return what they say about the goal.',
    parameters: {
      type: 'object',
      properties: { url: { anyOf: [{ type: 'string' }, stringArray], description: 'page address(es)' }, goal: { type: 'string', description: 'what to look for' } },
      required: ['url', 'goal'],
    },
  },
  PythonInterpreter: {
    name: 'PythonInterpreter',
    description: 'Run Python code in a sandbox without network access; only printed output is returned.',
    parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
  },
  google_scholar: {
    name: 'google_scholar',
    description: 'Search the papers of the corpus.',
    parameters: { type: 'object', properties: { query: { ...stringArray, description: 'queries to run' } }, required: ['query'] },
  },
  parse_file: {
    name: 'parse_file',
    description: 'Extract the text of attached files (PDF, HTML, CSV, JSON).',
    parameters: { type: 'object', properties: { files: { ...stringArray, description: 'file names' } }, required: ['files'] },
  },
};

export function toolSignatures(names: Iterable<string>): ToolSignature[] {
  return [...new Set(names)].sort().map((name) => knownTools[name] ?? { name, description: `the ${name} tool`, parameters: { type: 'object' } });
}

/** YYYY-MM-DD of a record's creation, so an export is the same whenever it runs. */
export function isoDate(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

/** System prompt for the tag format: the tool list is part of the text. */
export function tagSystemPrompt(tools: ToolSignature[], date: string): string {
  const lines = tools.map((t) => JSON.stringify({ type: 'function', function: t }));
  return [
    'You are a deep research assistant. Work out the answer to the question step by step: before every action,',
    'reason inside <think></think>; then either call one tool or give the final answer inside <answer></answer>.',
    '',
    '# Tools',
    '',
    'These are the tools you may call:',
    '<tools>',
    ...lines,
    '</tools>',
    '',
    'To call a tool, write a JSON object with its name and arguments inside <tool_call></tool_call>:',
    '<tool_call>',
    '{"name": <tool name>, "arguments": <arguments object>}',
    '</tool_call>',
    'The tool result comes back inside <tool_response></tool_response>.',
    '',
    `Current date: ${date}`,
  ].join('\n');
}

/** System prompt for the OpenAI format: tools travel in the request's `tools` field. */
export function chatSystemPrompt(date: string): string {
  return `You are a deep research assistant. Use the tools to find evidence, reason before every action, and end with a short final answer.\n\nCurrent date: ${date}`;
}
