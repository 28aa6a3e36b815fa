import type { Step } from '../../platform/generated/records.ts';
import { splitSentences } from '../corpus/text.ts';
import { leadLength } from './attribute.ts';

/** One sentence a tool returned: what a trajectory may cite as evidence. */
export interface Span {
  step: number;
  tool: string;
  /** Title of the page (visit) or hit (search) the sentence came from; '' for other tools. */
  source: string;
  /** The first sentence of a visited page: where a page states its subject's defining dates. */
  lead: boolean;
  sentence: string;
}

export interface Computation {
  step: number;
  code: string;
  stdout: string;
}

export interface ToolUse {
  step: number;
  tool: string;
  args: Record<string, unknown>;
}

export interface TrajectoryEvidence {
  spans: Span[];
  computations: Computation[];
  calls: ToolUse[];
  /** Titles of the pages the trajectory visited, in order. */
  visited: string[];
}

const VISIT_HEADER = /^The useful information in (\S+) \((.*)\) for user goal/;
const SEARCH_HIT = /^\d+\. \[(.*)\]\((\S+)\)\n([^\n]*)/gm;

function parseArgs(json: string | null | undefined): Record<string, unknown> {
  try {
    const value = JSON.parse(json ?? '{}');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every tool response of a trajectory cut into sentences with their source, plus the computations it ran. */
export function trajectoryEvidence(steps: Step[]): TrajectoryEvidence {
  const out: TrajectoryEvidence = { spans: [], computations: [], calls: [], visited: [] };
  for (const step of steps) {
    if (!step.tool_call) continue;
    const tool = step.tool_call.name;
    const args = parseArgs(step.tool_call.arguments_json);
    out.calls.push({ step: step.index, tool, args });
    const response = step.tool_response ?? '';
    if (tool === 'visit') {
      for (const part of response.split('\n=======\n')) {
        const header = VISIT_HEADER.exec(part);
        if (!header) continue;
        const title = header[2];
        out.visited.push(title);
        const body = part.split('\nPage content:\n')[1] ?? part.split('\nSummary:\n')[1] ?? '';
        const sentences = splitSentences(body.replace(/… \[truncated \d+ chars\]$/, ''));
        const lead = leadLength(sentences);
        sentences.forEach((sentence, i) => out.spans.push({ step: step.index, tool, source: title, lead: i < lead, sentence }));
        // the page's sentences picked for the goal come first in the response, and may lie past a truncation
        const picked = /\nEvidence in page:\n([\s\S]*?)\n\nPage content:/.exec(part)?.[1] ?? '';
        for (const sentence of picked.split('\n').filter(Boolean)) if (!sentences.includes(sentence)) out.spans.push({ step: step.index, tool, source: title, lead: false, sentence });
      }
    } else if (tool === 'search' || tool === 'google_scholar') {
      for (const m of response.matchAll(SEARCH_HIT)) for (const sentence of splitSentences(m[3])) out.spans.push({ step: step.index, tool, source: m[1], lead: false, sentence });
    } else if (tool === 'PythonInterpreter' || tool === 'python') {
      out.computations.push({ step: step.index, code: String(args.code ?? ''), stdout: /^stdout:\n([\s\S]*?)(?:\nstderr:|$)/.exec(response)?.[1]?.trim() ?? '' });
    } else {
      for (const sentence of splitSentences(response)) out.spans.push({ step: step.index, tool, source: '', lead: false, sentence });
    }
  }
  return out;
}

/** The literal operands of a computation: `{"Lisa Raymond": 10, …}` gives keyed values, other numbers come unkeyed. */
export function operands(code: string): Array<{ key?: string; value: string }> {
  const keyed = [...code.matchAll(/["']([^"'\n]+)["']\s*:\s*(-?\d[\d_]*(?:\.\d+)?)/g)].map((m) => ({ key: m[1], value: m[2].replace(/_/g, '') }));
  if (keyed.length) return keyed;
  const withoutStrings = code.replace(/(["'])(?:\\.|(?!\1).)*\1/g, ' ');
  return [...withoutStrings.matchAll(/(?<![\w.])(\d[\d_]*(?:\.\d+)?)(?![\w.])/g)].map((m) => ({ value: m[1].replace(/_/g, '') }));
}
