import { describe, expect, it } from 'vitest';
import type { Cluster, Question } from '../platform/generated/records.ts';
import { seededRandom } from '../platform/runtime/random.ts';
import { scriptedClient } from '../../test/fixtures/knowledge-llm.ts';
import { planningAction, reasoningAction } from './actions.ts';
import { QuestionIndex } from './dedup.ts';
import type { QuestionDraft } from './draft.ts';
import { inspect } from './gate/index.ts';
import { LlmActions, planningTemplateHash } from './llm-actions.ts';
import { LlmQuestionStrategy } from './llm.ts';
import { obfuscate } from './obfuscate.ts';
import { TemplateStrategy } from './templates.ts';

const member = (entity_id: string, name: string, statements: string[]) => ({ entity_id, name, statements, doc_ids: [`doc_${entity_id}`], statement_doc_ids: statements.map(() => `doc_${entity_id}`) });
const cluster: Cluster = {
  id: 'cluster_1', round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0,
  kind: 'random_walk', seed: 1, shared_attribute: '',
  entities: [
    member('ada_moreno', 'Ada Moreno', ['Ada Moreno (born 3 May 1851) was a Scottish engineer.', 'Ada Moreno was a lighthouse keeper at the Harbor Lighthouse.']),
    member('harbor_lighthouse', 'Harbor Lighthouse', ['Harbor Lighthouse was built in 1874 on the north pier.', 'Harbor Lighthouse is a stone tower on the north pier of Port Calder.', 'Harbor Lighthouse was designed by Ada Moreno.', 'Harbor Lighthouse has 112 steps.']),
  ],
  edges: [{ from: 'ada_moreno', to: 'harbor_lighthouse', kind: 'co_mention' }],
};
const names = new Map(cluster.entities.map((e) => [e.entity_id, e.name]));

describe('template questions', () => {
  it('proposes all four styles about dated events and agents, each passing the gate', async () => {
    const drafts = await new TemplateStrategy().propose(cluster, seededRandom('t'));
    expect(drafts.map((d) => d.style).sort()).toEqual(['factual', 'multi_hop', 'numeric', 'synthesis'].filter((s) => drafts.some((d) => d.style === s)));
    for (const d of drafts) {
      expect(inspect(d, cluster)).toBeUndefined();
      for (const e of d.evidence) expect(e.doc_id).toMatch(/^doc_/);
    }
    const numeric = drafts.find((d) => d.style === 'numeric')!;
    expect(numeric.question).toBe('How many years after Ada Moreno was born was Harbor Lighthouse built?');
    expect(numeric.answer).toBe('23');
    const hop = drafts.find((d) => d.style === 'multi_hop')!;
    expect(hop.question).toBe('In which year was the designer of Harbor Lighthouse born?');
    expect(hop.answer).toBe('1851');
    expect(hop.evidence.map((e) => e.entity_id)).toEqual(['harbor_lighthouse', 'ada_moreno']);
  });

  it('says which namesake it means: "the Mexican novelist Laura Esquivel"', async () => {
    const c: Cluster = { ...cluster, entities: [member('laura_esquivel', 'Laura Esquivel (Mexican novelist)', ['Laura Esquivel (born September 30, 1950) is a Mexican novelist.'])] };
    const drafts = await new TemplateStrategy().propose(c, seededRandom('n'));
    expect(drafts.map((d) => d.question)).toEqual(['In which year was the Mexican novelist Laura Esquivel born?']);
    expect(inspect(drafts[0], c)).toBeUndefined();
  });

  it('is deterministic under the same random stream', async () => {
    const a = await new TemplateStrategy().propose(cluster, seededRandom('same'));
    const b = await new TemplateStrategy().propose(cluster, seededRandom('same'));
    expect(a).toEqual(b);
  });

  it('no longer makes the malformed questions of issue 10 from the statements that produced them', async () => {
    const issue: Cluster = { ...cluster, entities: [
      member('jerry_glanville', 'Jerry Glanville', ['Jerry Glanville (born October 14, 1941) is a former American football player and coach.', 'Jerry Glanville served as head coach of the Houston Oilers from 1986 to 1990 and the Atlanta Falcons from 1990 to 1994, compiling a career NFL record of 63–73.']),
      member('manchester_united', 'Manchester United', ['Manchester United is a professional football club based in Old Trafford, Greater Manchester, England.', 'Nicknamed "the Red Devils", the club was founded as Newton Heath LYR Football Club in 1878, changed its name to Manchester United in 1902 and moved to its current stadium, Old Trafford, in 1910.']),
      member('liezel_huber', 'Liezel Huber', ['Liezel Huber (née Horn; born 21 August 1976) is a South African-American retired tennis player who represents the United States internationally.', 'On 19 April 2010, Huber became the sole No. 1 for the first time in her career.']),
      member('twenty', 'Twenty-', ['Twenty-Something is the second album by Tantric, released in 2001.']),
      member('catan', 'Settlers of Catan', ['Settlers of Catan is a board game for three to four players.']),
    ] };
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const random = seededRandom(`issue-${seed}`);
      for (const raw of await new TemplateStrategy().propose(issue, random)) {
        const d = obfuscate(raw, issue, random, 1);
        seen.add(d.question);
        expect(inspect(d, issue), d.question).toBeUndefined();
        expect(d.question).not.toMatch(/which year to|how many and|Twenty-|associated with|is a South African/);
      }
    }
    expect(seen).toContain('In which year was Manchester United founded as Newton Heath LYR Football Club?');
    expect([...seen].some((q) => /^How many years after Manchester United was founded as Newton Heath LYR Football Club was (Jerry Glanville|Liezel Huber) born\?$/.test(q))).toBe(true);
  });
});

describe('obfuscation operations', () => {
  const base: QuestionDraft = {
    style: 'factual', question: 'In which year was Harbor Lighthouse designed?', answer: '1874', predicate: 'built',
    evidence: [{ entity_id: 'harbor_lighthouse', statement: 'Harbor Lighthouse was built in 1874 on the north pier.', doc_id: 'doc_harbor_lighthouse' }],
    entityIds: ['harbor_lighthouse'], operations: [], hops: 1,
  };

  it('describes the entity by a specific statement, records it, and hides the name', () => {
    const d = obfuscate({ ...base, question: 'In which year was Harbor Lighthouse built?' }, cluster, () => 0, 1);
    expect(d.question).toBe('In which year was the stone tower on the north pier of Port Calder built?');
    expect(d.operations).toEqual([{ op: 'describe_entity', detail: 'Harbor Lighthouse → the stone tower on the north pier of Port Calder' }]);
    expect(d.hidden).toEqual(['Harbor Lighthouse']);
    expect(d.evidence).toHaveLength(2);
    expect(inspect(d, cluster)).toBeUndefined();
  });

  it('merges with a candidate of the same kind and blurs a year only in the clue, grammatically', () => {
    const other = member('old_mill', 'Old Mill', ['Old Mill was built in 1790 beside the river.']);
    const c: Cluster = { ...cluster, entities: [cluster.entities[0], { ...cluster.entities[1], statements: ['Harbor Lighthouse was built in 1874 on the north pier.', 'Harbor Lighthouse replaced a wooden beacon lost in a storm in 1861.'] }, other] };
    const d = obfuscate({ ...base, question: 'In which year was Harbor Lighthouse built?' }, c, () => 0, 1);
    expect(d.question).toBe('In which year was X built, X being whichever of Harbor Lighthouse and Old Mill fits: "X replaced a wooden beacon lost in a storm in the 1860s"?');
    expect(d.operations.map((o) => o.op)).toEqual(['merge_entities', 'blur_date']);
    expect(d.operations[1].detail).toBe('1861 → the 1860s');
    expect(inspect(d, c)).toBeUndefined();
  });

  it('never describes an entity by an office it holds now (time-bound, and sources disagree)', () => {
    const c: Cluster = { ...cluster, entities: [member('john_lasseter', 'John Lasseter', ['John Lasseter (born January 12, 1957) is an American animator.', 'John Lasseter currently is the chief creative officer of Pixar Animation Studios.', 'John Lasseter is the chief executive officer of Lasseter Family Winery.'])] };
    const d = obfuscate({ ...base, question: 'In which year was John Lasseter born?', answer: '1957', predicate: 'born', entityIds: ['john_lasseter'] }, c, () => 0, 1);
    expect(d.operations.map((o) => o.op)).not.toContain('describe_entity');
  });

  it('leaves computed questions alone', () => {
    const d: QuestionDraft = { ...base, style: 'numeric', question: 'How many years after Ada Moreno was born was Harbor Lighthouse built?', answer: '23' };
    expect(obfuscate(d, cluster, () => 0, 1)).toEqual({ ...d, hidden: [] });
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
        { style: 'factual', question: 'How many steps does the tower have?', answer: '120', evidence: [6] },
      ],
    });
    const drafts = await new LlmQuestionStrategy(client).propose(cluster, () => 0);
    expect(drafts[0].evidence.map((e) => e.statement)).toEqual(['Ada Moreno (born 3 May 1851) was a Scottish engineer.', 'Harbor Lighthouse was built in 1874 on the north pier.']);
    expect(drafts[0].llm).toMatchObject({ model: 'scripted' });
    expect(drafts[1].llm).toBeNull();
    expect(inspect(drafts[0], cluster)).toBeUndefined();
    expect(inspect(drafts[1], cluster)?.reason).toBe('question:unsupported-answer'); // 120 is not what the evidence says
    expect(client.requests[0].messages[1].content).toContain('[6] Harbor Lighthouse has 112 steps.');
  });
});

describe('LLM actions', () => {
  const q = { id: 'q1', question: 'How many years after Ada Moreno was born was Harbor Lighthouse built?', answer: '23', style: 'numeric', entity_ids: ['ada_moreno', 'harbor_lighthouse'], operations: [], evidence: cluster.entities.flatMap((e) => [{ entity_id: e.entity_id, statement: e.statements[0], doc_id: 'd' }]) } as unknown as Question;

  it('maps K perspectives and a decompose → preliminary → check → final reasoning, with usage', async () => {
    const client = scriptedClient((request: { messages: Array<{ content: string }> }) =>
      request.messages[0].content.includes('You plan how')
        ? { perspectives: [1, 2].map((n) => ({ name: `p${n}`, view: `View number ${n} of the question.`, first_action: { tool: 'search', input: 'Ada Moreno' } })) }
        : { steps: ['Ada Moreno was born in 1851.', 'The lighthouse was built in 1874.'], preliminary_answer: '1851', check: '1874 − 1851 = 23.', final_answer: '23' },
    );
    const actions = new LlmActions(client);
    const plan = await actions.planning(q, names, 2, () => 0);
    expect(plan.items).toEqual(['Perspective 1 (p1): View number 1 of the question. First action: search("Ada Moreno")', 'Perspective 2 (p2): View number 2 of the question. First action: search("Ada Moreno")']);
    expect(plan.llm).toMatchObject({ model: 'scripted', prompt_template_hash: planningTemplateHash });
    const reasoning = await actions.reasoning(q, names, '1851');
    expect(reasoning).toMatchObject({ preliminary: '1851', final: '23' });
    expect(reasoning.text).toMatch(/Decomposition:\nStep 1: Ada Moreno was born in 1851\.[\s\S]*Check against every step: 1874 − 1851 = 23\.\nFinal answer: 23$/);
    expect(client.requests[1].messages[1].content).toContain('Answer: 23');
  });

  it('rejects a reply that does not match its schema: the wrong number of perspectives, or another final answer', async () => {
    const wrong = new LlmActions(scriptedClient({ perspectives: [], steps: ['a step'], preliminary_answer: 'x', check: 'checked it', final_answer: '24' }));
    await expect(wrong.planning(q, names, 3, () => 0)).rejects.toThrow(/exactly 3 perspectives/);
    await expect(wrong.reasoning(q, names, '')).rejects.toThrow(/final_answer must be the question's answer/);
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

  // from a demo round: "constraint-first" searched the evidence's first words, "Liezel Huber (née Horn; born 21 August 1976)"
  it('never puts the answer into a planned first action', () => {
    const huber = { ...question, question: 'In which year was Liezel Huber born?', answer: '1976', style: 'factual', entity_ids: ['liezel_huber'], evidence: [
      { entity_id: 'liezel_huber', statement: 'Liezel Huber (née Horn; born 21 August 1976) is a South African-American retired tennis player.', doc_id: 'd1' },
    ] } as unknown as Question;
    const plan = planningAction(huber, ['Liezel Huber'], 3, seededRandom('p'));
    expect(plan.items.length).toBeGreaterThan(1);
    for (const item of plan.items) expect(item).not.toMatch(/1976|née/);
    expect(plan.text).toContain('search("Liezel Huber born")');
    const hop = { ...huber, question: 'In which year was X born, X being the one named in this statement: "These Boots Are Made for Walkin\' is a hit song recorded by X"?', answer: '1940' } as Question;
    const hopPlan = planningAction(hop, ['Nancy Sinatra'], 7, seededRandom('p')).text;
    expect(hopPlan).not.toContain('Nancy Sinatra'); // the entity the question hides is not named by its plan
    expect(hopPlan).toContain('search("Boots Made Walkin\' hit song recorded")');
  });

  it('reasons decompose → preliminary → final', () => {
    const r = reasoningAction(question, names, '1851');
    expect(r.items).toHaveLength(2);
    expect(r.text).toMatch(/Decomposition:[\s\S]*Step 2[\s\S]*Preliminary answer \(from step 1 alone\): 1851[\s\S]*Final answer: 23/);
  });
});
