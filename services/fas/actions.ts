import { queryTerms } from '../lib/text.ts';
import type { Question } from '../platform/generated/records.ts';

interface Perspective {
  name: string;
  applies(q: Question, names: string[]): boolean;
  render(q: Question, names: string[]): { view: string; firstAction: string };
}

const quoted = (s: string) => JSON.stringify(s);
const answerKind = (q: Question) => (/^\d{4}$/.test(q.answer) ? 'a year' : /^\d[\d,.]*$/.test(q.answer) ? 'a number' : 'a name');
const QUOTED = /["“]([^"”]{12,})["”]/;
/** Words that say what kind of answer is wanted, not what it is about. */
const ASKING = new Set(['year', 'years', 'date', 'many', 'much', 'number', 'name', 'called']);

/**
 * The question's most specific words — its quoted statement when it has one — never the answer's: a planning
 * sample whose first search already holds the answer (the evidence's "born 21 August 1976") teaches nothing.
 */
function clue(q: Question): string {
  const answer = new Set(queryTerms(q.answer));
  const words = (QUOTED.exec(q.question)?.[1] ?? q.question).match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) ?? [];
  const kept = words.filter((w) => w !== 'X' && !ASKING.has(w.toLowerCase()) && queryTerms(w).length > 0 && !queryTerms(w).some((t) => answer.has(t)));
  return kept.slice(0, 8).join(' ') || q.question;
}

/** Analysis perspectives a planner can take on a question; K of them are sampled per question. */
const PERSPECTIVES: Perspective[] = [
  {
    name: 'entity-first',
    applies: (_q, names) => names.length > 0,
    render: (q, names) => ({ view: `Start from the entities the question is built on (${names.join(', ')}) and read what the sources say about each.`, firstAction: `search(${quoted(names[0] ?? q.question)})` }),
  },
  {
    name: 'constraint-first',
    applies: () => true,
    render: (q) => ({ view: 'Start from the most specific clue in the question and use it to narrow the candidates before looking anything else up.', firstAction: `search(${quoted(clue(q))})` }),
  },
  {
    name: 'answer-type',
    applies: () => true,
    render: (q) => ({ view: `The answer is ${answerKind(q)}: look for passages that state ${answerKind(q)} in the right context, then confirm it.`, firstAction: `search(${quoted(`${clue(q)} ${answerKind(q) === 'a year' ? 'year' : ''}`.trim())})` }),
  },
  {
    name: 'bridge-first',
    applies: (q) => q.style === 'multi_hop' || q.operations.some((o) => o.op === 'describe_entity' || o.op === 'merge_entities'),
    render: (q, names) => ({ view: 'The question hides an entity behind a description: identify that entity first, then ask the question about it directly.', firstAction: `search(${quoted(clue(q))})${names[1] ? ` then visit the page on ${names[1]}` : ''}` }),
  },
  {
    name: 'timeline',
    applies: (q) => q.style === 'numeric' || q.style === 'synthesis' || /\byear\b/.test(q.question),
    render: (q, names) => ({ view: 'Put the events on a timeline: find the date of each one, then compare or subtract.', firstAction: `search(${quoted(`${names[0] ?? clue(q)} date`)})` }),
  },
  {
    name: 'comparison-table',
    applies: (_q, names) => names.length > 1,
    render: (q, names) => ({ view: `Tabulate the candidates (${names.join(', ')}) with the attribute the question asks about, one row each, then read off the answer.`, firstAction: `search(${quoted(names[0] ?? clue(q))})` }),
  },
  {
    name: 'verification',
    applies: () => true,
    render: (q) => ({ view: 'Find a first candidate quickly, then look for an independent passage that confirms or contradicts it before answering.', firstAction: `search(${quoted(q.question.slice(0, 80))})` }),
  },
];

/** Planning action: K different perspectives on the question, each with the first action it leads to. */
export function planningAction(q: Question, entityNames: string[], k: number, random: () => number): { items: string[]; text: string } {
  // an entity the question hides (a multi-hop bridge, a described entity) must not be named by the plan
  const names = entityNames.filter((n) => q.question.toLowerCase().includes(n.toLowerCase()));
  const pool = PERSPECTIVES.filter((p) => p.applies(q, names));
  const chosen: Perspective[] = [];
  while (chosen.length < Math.min(k, pool.length)) {
    const p = pool[Math.floor(random() * pool.length)];
    if (!chosen.includes(p)) chosen.push(p);
  }
  const items = chosen.map((p, i) => {
    const { view, firstAction } = p.render(q, names);
    return `Perspective ${i + 1} (${p.name}): ${view} First action: ${firstAction}`;
  });
  return { items, text: [`Question: ${q.question}`, '', ...items].join('\n') };
}

/** Reasoning action: decompose into steps over the evidence, a preliminary answer from the first step, then the final answer. */
export function reasoningAction(q: Question, names: Map<string, string>, preliminary: string): { items: string[]; preliminary: string; final: string; text: string } {
  const items = q.evidence.map((e, i) => `Step ${i + 1}: what is known about ${names.get(e.entity_id) ?? e.entity_id}? — "${e.statement}"`);
  const checked = preliminary === q.answer ? 'The remaining evidence agrees with it.' : `The remaining evidence changes it: combining all steps gives ${q.answer}.`;
  const text = [
    `Question: ${q.question}`,
    '',
    'Decomposition:',
    ...items,
    '',
    `Preliminary answer (from step 1 alone): ${preliminary}`,
    `Check against every step: ${checked}`,
    `Final answer: ${q.answer}`,
  ].join('\n');
  return { items, preliminary, final: q.answer, text };
}
