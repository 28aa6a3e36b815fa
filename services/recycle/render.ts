import type { ToolCall, Trajectory } from '../platform/generated/records.ts';
import { parseArguments, trajectoryText } from '../export/render.ts';

/**
 * CPT text from what post-training threw away. A discarded trajectory keeps its full tag-format rendering
 * (thoughts, calls, responses, answer) under a header that says how it ended, so the corpus holds mixed-
 * quality behaviour honestly labelled, as AgentFounder's CPT corpus does. A tool record becomes the page or
 * result list it returned, introduced by the call that produced it.
 */
export function discardedTrajectoryText(t: Trajectory): string {
  const outcome = t.judge.correct ? 'judged correct but not kept' : `judged incorrect (${t.judge.kind}, F1 ${t.judge.f1.toFixed(2)})`;
  const header = `[agent trajectory, ${t.mode}, ended: ${t.termination}, ${outcome}]`;
  const ending = t.prediction && !t.steps.some((s) => s.answer !== null) ? `\nFinal prediction: ${t.prediction}` : '';
  return `${trajectoryText(t, header)}${ending}`;
}

export function toolRecordText(call: ToolCall, maxChars: number): string {
  const args = parseArguments(call.arguments_json);
  const response = call.response.length > maxChars ? `${call.response.slice(0, maxChars).trimEnd()}\n[…]` : call.response;
  const list = (v: unknown) => (Array.isArray(v) ? v.join('; ') : String(v ?? ''));
  if (call.tool === 'search' || call.tool === 'google_scholar') return `Search results for: ${list(args.query)}\n\n${response}`;
  if (call.tool === 'visit') return `Page ${list(args.url)}${args.goal ? ` (read for: ${String(args.goal)})` : ''}\n\n${response}`;
  if (call.tool === 'parse_file') return `File contents: ${list(args.files)}\n\n${response}`;
  if (/python/i.test(call.tool) && typeof args.code === 'string') return `Python:\n${args.code}\nOutput:\n${response}`;
  return `Tool ${call.tool} ${call.arguments_json}\n\n${response}`;
}
