import type { Step } from '../../platform/generated/records.ts';

/** One line per trajectory's tool use: `search("…") → visit(Title) → python(…→out)`, for reviews and logs. */
export function toolSummary(steps: Step[]): string {
  return steps
    .filter((s) => s.tool_call)
    .map((s) => {
      let args: Record<string, unknown> = {};
      try {
        args = JSON.parse(s.tool_call!.arguments_json) as Record<string, unknown>;
      } catch {
        // keep the call name only
      }
      const name = s.tool_call!.name;
      if (name === 'search') return `search(${JSON.stringify([args.query].flat()[0] ?? '')})`;
      if (name === 'visit') return `visit(${/^The useful information in \S+ \((.*)\) for user goal/.exec(s.tool_response)?.[1] ?? String(args.url)})`;
      if (name === 'PythonInterpreter') return `python(${String(args.code ?? '').replace(/\s+/g, ' ').trim().slice(0, 80)} → ${/^stdout:\n(.*)/.exec(s.tool_response)?.[1] ?? '?'})`;
      return `${name}(${JSON.stringify(args).slice(0, 60)})`;
    })
    .join(' → ');
}
