/**
 * Prints a round's SFT trajectories for a human read: question, reference, prediction, each step (thought, tool
 * call, the first sentences of each page read, what Python printed) and the process check's verdict, then one
 * compact JSON line per trajectory to paste into test/fixtures/quality/sft-reviewed.jsonl with verdicts filled in.
 *
 *   TOPIC_PREFIX=demo-….  npx tsx scripts/review-sft.ts --round 1 [--topic fw.rollout.trajectories] [--correct]
 */
import { parseArgs } from 'node:util';
import { cliContext } from '../services/cli/context.ts';
import type { Trajectory } from '../services/platform/generated/records.ts';
import { readRound } from '../services/rounds/read-round.ts';
import { checkProcess } from '../services/rollout/quality/process-check.ts';
import { toolSummary } from '../services/rollout/quality/summary.ts';

const { values } = parseArgs({ options: { round: { type: 'string', default: '1' }, topic: { type: 'string', default: 'fw.sft.trajectories' }, correct: { type: 'boolean', default: false } } });
const ctx = cliContext();
const topic = values.topic as 'fw.sft.trajectories' | 'fw.rollout.trajectories';
let trajectories = (await readRound(Number(values.round), topic, ctx)) as Trajectory[];
if (values.correct) trajectories = trajectories.filter((t) => t.judge.correct);
const compact: string[] = [];
for (const t of trajectories) {
  const check = checkProcess({ question: t.question, prediction: t.prediction, steps: t.steps });
  console.log(`\n════ ${t.id} [${t.question_style}] ${t.disposition} label=${t.quality_label ?? ''}`);
  console.log(`Q: ${t.question}\nREF: ${t.reference_answer}   PRED: ${t.prediction}   correct=${t.judge.correct}`);
  for (const s of t.steps) {
    console.log(`  [${s.index}] ${s.thought}`);
    if (!s.tool_call) continue;
    console.log(`      → ${s.tool_call.name} ${s.tool_call.arguments_json}`);
    const page = /Page content:\n([\s\S]{0,400})/.exec(s.tool_response)?.[1];
    const out = /^stdout:\n(.*)/.exec(s.tool_response)?.[1];
    const hits = [...s.tool_response.matchAll(/^\d+\. \[(.*)\]/gm)].map((m) => m[1]).slice(0, 5);
    if (page) console.log(`      ⇐ ${page.replace(/\s+/g, ' ')}`);
    else if (out) console.log(`      ⇐ stdout: ${out}`);
    else if (hits.length) console.log(`      ⇐ hits: ${hits.join(' | ')}`);
  }
  console.log(`  check: ${check.label} — ${check.detail}`);
  compact.push(JSON.stringify({ id: t.id, style: t.question_style, question: t.question, reference: t.reference_answer, answer: t.prediction, tools: toolSummary(t.steps), check: t.quality_label || check.label }));
}
console.log(`\n${trajectories.length} trajectories\n${compact.join('\n')}`);
process.exit(0);
