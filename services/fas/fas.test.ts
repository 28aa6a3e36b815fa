import { describe, expect, it } from 'vitest';
import type { Cluster, Question } from '../platform/generated/records.ts';
import { seededRandom } from '../platform/runtime/random.ts';
import { scriptedClient } from '../../test/fixtures/knowledge-llm.ts';
import { planningAction, reasoningAction } from './actions.ts';
import { leaksAnswer, unsupportedReason } from './check.ts';
import { QuestionIndex } from './dedup.ts';
import type { QuestionDraft } from './draft.ts';
import { LlmQuestionStrategy } from './llm.ts';
import { obfuscate } from './obfuscate.ts';
import { TemplateStrategy } from './templates.ts';

const member = (entity_id: string, name: string, statements: string[]) => ({ entity_id, name, statements, doc_ids: [`doc_${entity_id}`], statement_doc_ids: statements.map(() => `doc_${entity_id}`) });
const cluster: Cluster = {
  id: 'cluster_1', round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
  kind: 'random_walk', seed: 1, shared_attribute: '',
  entities: [
    member('ada_moreno', 'Ada Moreno', ['Ada Moreno was born in 1851.', 'Ada Moreno was a lighthouse keeper at the Harbor Lighthouse.']),
    member('harbor_lighthouse', 'Harbor Lighthouse', ['The Harbor Lighthouse was built in 1874 on the north pier.', 'Harbor Lighthouse is a stone tower on the north pier of Port Calder.', 'Harbor Lighthouse has 112 steps.']),
  ],
  edges: [{ from: 'ada_moreno', to: 'harbor_lighthouse', kind: 'co_mention' }],
};
const names = new Map(cluster.entities.map((e) => [e.entity_id, e.name]));

describe('template questions', () => {
  it('proposes all four styles, each supported by its evidence and not leaking its answer', async () => {
    const drafts = await new TemplateStrategy().propose(cluster, seededRandom('t'));
    expect(drafts.map((d) => d.style).sort()).toEqual(['factual', 'multi_hop', 'numeric', 'synthesis']);
    for (const d of drafts) {
      expect(unsupportedReason(d, names)).toBeUndefined();
      expect(leaksAnswer(d)).toBe(false);
      for (const e of d.evidence) expect(e.doc_id).toMatch(/^doc_/);
    }
    const numeric = drafts.find((d) => d.style === 'numeric')!;
    expect(numeric.answer).toBe('23');
    expect(numeric.question).not.toMatch(/1851|1874/);
    const synthesis = drafts.find((d) => d.style === 'synthesis')!;
    expect(synthesis.answer).toBe('Ada Moreno');
    const hop = drafts.find((d) => d.style === 'multi_hop')!;
    expect(hop.evidence.map((e) => e.entity_id)).toEqual(['ada_moreno', 'harbor_lighthouse']);
    expect(hop.question).not.toContain('Harbor Lighthouse was');
    expect(hop.operations[0].op).toBe('describe_entity');
  });

  it('is deterministic under the same random stream', async () => {
    const a = await new TemplateStrategy().propose(cluster, seededRandom('same'));
    const b = await new TemplateStrategy().propose(cluster, seededRandom('same'));
    expect(a).toEqual(b);
  });
});

describe('obfuscation operations', () => {
  const base: QuestionDraft = {
    style: 'factual', question: 'Harbor Lighthouse has how many steps, counting from the pier built in 1874 for 3,400 dollars?', answer: '112',
    evidence: [{ entity_id: 'harbor_lighthouse', statement: 'Harbor Lighthouse has 112 steps.', doc_id: 'doc_harbor_lighthouse' }],
    entityIds: ['harbor_lighthouse'], operations: [], hops: 1,
  };

  it('records every operation it applies and keeps the answer', () => {
    const d = obfuscate(base, cluster, () => 0, 1);
    const ops = d.operations.map((o) => o.op);
    expect(ops).toEqual(expect.arrayContaining(['describe_entity', 'blur_date', 'blur_number']));
    expect(d.question).toContain('The stone tower on the north pier of Port Calder');
    expect(d.question).toContain('the 1870s');
    expect(d.question).toContain('about 3,000 dollars');
    expect(d.answer).toBe('112');
    expect(d.evidence).toHaveLength(2); // the description's statement joins the evidence
    expect(unsupportedReason(d, names)).toBeUndefined();
  });

  it('merges the entity into a two-candidate set when it does not describe it', () => {
    const d = obfuscate({ ...base, question: 'Harbor Lighthouse has how many steps?' }, { ...cluster, entities: [cluster.entities[0], { ...cluster.entities[1], statements: ['Harbor Lighthouse has 112 steps.', 'Harbor Lighthouse stands on the north pier.'] }] }, () => 0, 1);
    expect(d.operations.map((o) => o.op)).toContain('merge_entities');
    expect(d.question).toMatch(/X is whichever of Ada Moreno and Harbor Lighthouse fits: "X stands on the north pier"/);
  });
});

describe('answer checks', () => {
  const draft = (over: Partial<QuestionDraft>): QuestionDraft => ({ style: 'factual', question: 'q?', answer: '', evidence: [{ entity_id: 'x', statement: 'X was built in 1874 and rebuilt in 1901.', doc_id: 'd' }], entityIds: ['x'], operations: [], hops: 1, ...over });
  it('accepts answers stated or computable from the evidence and rejects the rest', () => {
    expect(unsupportedReason(draft({ answer: '1874' }), names)).toBeUndefined();
    expect(unsupportedReason(draft({ style: 'numeric', answer: '27' }), names)).toBeUndefined();
    expect(unsupportedReason(draft({ style: 'numeric', answer: '30' }), names)).toMatch(/not a difference/);
    expect(unsupportedReason(draft({ answer: 'Port Calder' }), names)).toMatch(/does not appear/);
    expect(leaksAnswer(draft({ question: 'Was X built in 1874?', answer: '1874' }))).toBe(true);
  });
});

describe('near-duplicate questions', () => {
  it('drops a reworded repeat, keeps a different question, and does not drop a replay of the same input', () => {
    const index = new QuestionIndex(0.7);
    const q = 'How many years passed between the year in which the Harbor Lighthouse was built on the north pier and the year in which Ada Moreno was born?';
    index.add('q1', q, 'p0@1');
    expect(index.duplicateOf(q, 'p0@1')).toBeUndefined();
    expect(index.duplicateOf(q.toUpperCase(), 'p3@7')?.kind).toBe('exact');
    expect(index.duplicateOf(q.replace('passed', 'elapsed'), 'p3@8')?.kind).toBe('near');
    expect(index.duplicateOf('Which name completes this statement about Port Calder: "The town was founded by ___"?', 'p3@9')).toBeUndefined();
  });
});

describe('LLM questions', () => {
  it('maps the model output, with evidence by statement number and usage counted once', async () => {
    const client = scriptedClient({
      questions: [
        { style: 'numeric', question: 'How many years after the keeper was born was her lighthouse built?', answer: '23', evidence: [1, 3], operations: [{ op: 'describe_entity', detail: 'Ada Moreno → the keeper' }] },
        { style: 'factual', question: 'How many steps does the tower have?', answer: '120', evidence: [5] },
      ],
    });
    const drafts = await new LlmQuestionStrategy(client).propose(cluster, () => 0);
    expect(drafts[0].evidence.map((e) => e.statement)).toEqual(['Ada Moreno was born in 1851.', 'The Harbor Lighthouse was built in 1874 on the north pier.']);
    expect(drafts[0].llm).toMatchObject({ model: 'scripted' });
    expect(drafts[1].llm).toBeNull();
    expect(unsupportedReason(drafts[0], names)).toBeUndefined();
    expect(unsupportedReason(drafts[1], names)).toMatch(/does not appear/); // 120 is not what the evidence says
    expect(client.requests[0].messages[1].content).toContain('[5] Harbor Lighthouse has 112 steps.');
  });
});

describe('actions', () => {
  const question = { id: 'q1', question: 'How many years passed between A and B?', answer: '23', style: 'numeric', entity_ids: ['ada_moreno', 'harbor_lighthouse'], operations: [], evidence: [
    { entity_id: 'ada_moreno', statement: 'Ada Moreno was born in 1851.', doc_id: 'd1' },
    { entity_id: 'harbor_lighthouse', statement: 'The Harbor Lighthouse was built in 1874.', doc_id: 'd2' },
  ] } as unknown as Question;

  it('plans K distinct perspectives, each with a first action', () => {
    const plan = planningAction(question, ['Ada Moreno', 'Harbor Lighthouse'], 4, seededRandom('p'));
    expect(plan.items).toHaveLength(4);
    expect(new Set(plan.items.map((i) => /\((.+?)\)/.exec(i)![1])).size).toBe(4);
    for (const item of plan.items) expect(item).toMatch(/First action: search\(/);
  });

  it('reasons decompose → preliminary → final', () => {
    const r = reasoningAction(question, names, '1851');
    expect(r.items).toHaveLength(2);
    expect(r.text).toMatch(/Decomposition:[\s\S]*Step 2[\s\S]*Preliminary answer \(from step 1 alone\): 1851[\s\S]*Final answer: 23/);
  });
});
