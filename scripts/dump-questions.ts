/**
 * Synthesized questions of a round that passed the gate (fw.fas.questions, strategy ≠ dataset), one JSON line
 * each with evidence and operations: the input of a human review.
 *   TOPIC_PREFIX=qq1. npx tsx scripts/dump-questions.ts [--round 1] > questions.jsonl
 */
import { parseArgs } from 'node:util';
import { cliContext } from '../services/cli/context.ts';
import { readRound } from '../services/rounds/read-round.ts';

const { values } = parseArgs({ options: { round: { type: 'string', default: '1' } } });
const ctx = cliContext();
const questions = await readRound(Number(values.round), 'fw.fas.questions', ctx);
for (const q of questions.filter((x) => x.strategy !== 'dataset')) {
  console.log(JSON.stringify({ id: q.id, style: q.style, strategy: q.strategy, question: q.question, answer: q.answer, evidence: q.evidence.map((e) => e.statement), operations: q.operations.map((o) => `${o.op}: ${o.detail}`) }));
}
// what the gate dropped, by reason, to stderr
const drops = (await readRound(Number(values.round), 'fw.drops', ctx)).filter((d) => d.reason.startsWith('question:'));
const byReason = new Map<string, number>();
for (const d of drops) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
console.error(`kept ${questions.filter((x) => x.strategy !== 'dataset').length}; dropped ${drops.length}: ${[...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`);
process.exit(0);
