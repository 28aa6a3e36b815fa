import type { ToolSpec } from '../../platform/llm/types.ts';
import { ToolInputError, type Tool, type ToolContext } from './types.ts';

export interface ToolOutcome {
  response: string;
  /** Empty when the call worked; otherwise what went wrong (the response then tells the agent). */
  error: string;
  latencyMs: number;
}

/** Names models trained on other prompts use for the same tools. */
const ALIASES: Record<string, string> = { python: 'PythonInterpreter', scholar: 'google_scholar', parse: 'parse_file' };

/**
 * The agent's tools by name. A failing call never fails the rollout: like the reference agent, the error text is
 * the observation, so the policy can correct itself.
 */
export class Toolbox {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Tool[]) {
    for (const tool of tools) this.tools.set(tool.spec.name, tool);
  }

  get specs(): ToolSpec[] {
    return [...this.tools.values()].map((t) => t.spec);
  }

  resolve(name: string): Tool | undefined {
    return this.tools.get(name) ?? this.tools.get(ALIASES[name] ?? '');
  }

  async call(name: string, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome> {
    const started = performance.now();
    const tool = this.resolve(name);
    const done = (response: string, error = '') => ({ response, error, latencyMs: performance.now() - started });
    if (!tool) return done(`Error: Tool ${name} not found. Available tools: ${[...this.tools.keys()].join(', ')}.`, 'unknown_tool');
    const missing = ((tool.spec.parameters.required as string[] | undefined) ?? []).filter((k) => args[k] === undefined);
    if (missing.length) return done(`Error: ${tool.spec.name} needs ${missing.map((m) => `"${m}"`).join(', ')}.`, 'invalid_arguments');
    try {
      return done(await tool.run(args, ctx));
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return done(`Error: ${tool.spec.name} failed: ${message}`, error instanceof ToolInputError ? 'invalid_arguments' : 'tool_failed');
    }
  }
}
