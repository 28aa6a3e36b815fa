/**
 * Synthesized questions of a round that passed the gate (fw.fas.questions, strategy ≠ dataset), one JSON line
 * each with evidence and operations: the input of a human review.
 *   TOPIC_PREFIX=qq1. npx tsx scripts/dump-questions.ts [--round 1] > questions.jsonl
 */
import { parseArgs } from 'node:util';
import { readRound } from '../services/rounds/read-round.ts';

const { values } = parseArgs({ options: { round: { type: 'string', default: '1' } } });
const questions = await readRound(Number(values.round), 'fw.fas.questions');
for (const q of questions.filter((x) => x.strategy !== 'dataset')) {
  console.log(JSON.stringify({ id: q.id, style: q.style, strategy: q.strategy, question: q.question, answer: q.answer, evidence: q.evidence.map((e) => e.statement), operations: q.operations.map((o) => `${o.op}: ${o.detail}`) }));
}
process.exit(0);
