import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFasStage } from '../../services/fas/stage.ts';
import { entitiesStage } from '../../services/memory/entities-stage.ts';
import { createMemoryStage } from '../../services/memory/extract-stage.ts';
import { readEntitySnapshot, sampleAndPublish } from '../../services/memory/publish.ts';
import { rebuildEntities } from '../../services/memory/rebuild.ts';
import { createLlmClient, type LlmClient } from '../../services/platform/llm/index.ts';
import { startStage, type RunningStage } from '../../services/platform/runtime/runner.ts';
import type { AnyStage } from '../../services/platform/runtime/stage.ts';
import { consumedBy, drainByCount } from '../fixtures/knowledge-drain.ts';
import { FakeOpenAiServer, type RecordedRequest } from '../fakes/openai-server.ts';
import { fixtureMeta, TestEnv } from '../support.ts';

const DOCS = {
  'Ada Moreno': 'Ada Moreno was a lighthouse keeper at the Harbor Lighthouse. Ada Moreno was born in Valparaiso in 1851.',
  'Harbor Lighthouse': 'The Harbor Lighthouse was built in 1874 on the north pier of Port Calder. Its lamp was first lit by Ada Moreno.',
};

/** What a model would extract from each document, with explicit relations. */
function extraction(text: string) {
  if (text.includes('Title: Ada Moreno'))
    return {
      facts: [
        { entity: 'Ada Moreno', type: 'person', statement: 'Ada Moreno was a lighthouse keeper at the Harbor Lighthouse.', related: [{ entity: 'Harbor Lighthouse', relation: 'keeper_of' }] },
        { entity: 'Ada Moreno', type: 'person', statement: 'Ada Moreno was born in Valparaiso in 1851.', related: [{ entity: 'Valparaiso', relation: 'born_in' }] },
      ],
    };
  return {
    facts: [
      { entity: 'Harbor Lighthouse', type: 'thing', statement: 'The Harbor Lighthouse was built in 1874 on the north pier of Port Calder.', related: [{ entity: 'Port Calder', relation: 'located_in' }] },
      { entity: 'Harbor Lighthouse', type: 'thing', statement: 'The lamp of the Harbor Lighthouse was first lit by Ada Moreno.', related: [{ entity: 'Ada Moreno', relation: 'lit_by' }] },
    ],
  };
}

/** Questions a model would write for any cluster: one supported by the statements, one not. */
function questions(listing: string) {
  const n = (needle: string) => Number(new RegExp(`\\[(\\d+)\\] [^\\n]*${needle}`).exec(listing)?.[1] ?? 1);
  return {
    questions: [
      { style: 'numeric', question: 'How old was the keeper when her lighthouse was built?', answer: '23', evidence: [n('born in Valparaiso'), n('built in 1874')], operations: [{ op: 'describe_entity', detail: 'Ada Moreno → the keeper' }] },
      { style: 'factual', question: 'Who designed the Harbor Lighthouse?', answer: 'Gustave Eiffel', evidence: [n('built in 1874')] },
    ],
  };
}

/** Planning perspectives as a model would write them (as many as asked). */
function planning(user: string) {
  const k = Number(/Perspectives: (\d+)/.exec(user)?.[1] ?? 1);
  const views = ['entity-first', 'timeline', 'verification', 'constraint-first', 'answer-type'];
  return { perspectives: views.slice(0, k).map((name) => ({ name, view: `Approach the question ${name}: establish each fact it depends on first.`, first_action: { tool: 'search', input: 'Harbor Lighthouse' } })) };
}

/** A reasoning action: the first reply gives a wrong final answer (retried with the validation error), the retry the right one. */
let reasoningReplies = 0;
function reasoning(user: string) {
  const answer = /Answer: (.*)/.exec(user)?.[1] ?? '';
  const final = ++reasoningReplies === 1 ? 'not the answer' : answer;
  return { steps: ['When was Ada Moreno born? 1851.', 'When was the Harbor Lighthouse built? 1874.'], preliminary_answer: '1851', check: '1874 − 1851 = 23, which changes the first guess.', final_answer: final };
}

/** The fake OpenAI server answers as a model would: by the prompt the request carries. */
function responder(request: RecordedRequest) {
  const [system, user] = (request.body.messages ?? []).map((m) => String(m.content));
  if (system.includes('entity-anchored memory')) return { content: JSON.stringify(extraction(user)) };
  if (system.includes('You plan how')) return { content: JSON.stringify(planning(user)) };
  if (system.includes('reasoning a careful researcher')) return { content: JSON.stringify(reasoning(user)) };
  return { content: JSON.stringify(questions(user)) };
}

describe('knowledge side with the LLM strategies (real LLM client, fake OpenAI server, real broker)', () => {
  const env = new TestEnv({ MEMORY_EXTRACTOR: 'llm', FAS_STRATEGY: 'llm' });
  const running: RunningStage[] = [];
  let fake: FakeOpenAiServer;
  const client = () => createLlmClient({ baseURL: fake.url, model: 'fake-model', cache: { enabled: false, dir: env.home, disabledPurposes: [] } });
  const start = async (stage: AnyStage, llm?: LlmClient) => {
    const r = await startStage(stage, { env: env.env, http: false, progressEveryMs: 0, llm });
    running.push(r);
    return { running: r, topics: stage.inputs.map((t: string) => env.topic(t)) };
  };
  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ responder });
    await env.createTopics();
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await fake.close();
    await env.cleanup();
  });

  it('extracts facts with explicit relations, writes questions with model usage, and drops an unsupported answer', async () => {
    await env.produce(
      'fw.docs',
      Object.entries(DOCS).map(([title, text]) => ({ ...fixtureMeta('doc'), source_kind: 'jsonl', source_uri: 'x', url: '', title, text, lang: 'en', content_hash: title, quality: {} })),
    );
    const memory = await start(createMemoryStage(), client());
    const entities = await start(entitiesStage);
    await drainByCount(env.kafka, [memory]);
    await drainByCount(env.kafka, [entities]);
    const facts = await env.read('fw.memory.facts');
    expect(facts).toHaveLength(4);
    expect(facts.every((f) => f.extractor === 'llm')).toBe(true);
    expect(facts.filter((f) => f.llm !== null)).toHaveLength(2); // usage counted once per document
    const latest = new Map((await env.read('fw.memory.entities')).map((e) => [e.entity_id, e]));
    expect(latest.get('ada_moreno')!.relations).toEqual(expect.arrayContaining([{ entity_id: 'harbor_lighthouse', kind: 'keeper_of', weight: 1 }]));
    expect(latest.get('harbor_lighthouse')!.relations).toEqual(expect.arrayContaining([{ entity_id: 'ada_moreno', kind: 'lit_by', weight: 1 }]));

    // the compacted entity state can be rebuilt from fw.memory.facts and comes out the same
    const before = await readEntitySnapshot({ kafka: env.cluster, names: env.names, serde: env.serde });
    const rebuilt = await rebuildEntities({ kafka: env.cluster, names: env.names, env: env.env });
    expect(rebuilt.facts).toBe(4);
    const after = await readEntitySnapshot({ kafka: env.cluster, names: env.names, serde: env.serde });
    const bodies = (list: typeof before) => list.map(({ created_at: _, producer: __, ...rest }) => rest).sort((a, b) => a.entity_id.localeCompare(b.entity_id));
    expect(bodies(after)).toEqual(bodies(before));

    const sampled = await sampleAndPublish({ kafka: env.cluster, names: env.names, serde: env.serde, config: env.config }, { seed: 1, walks: 10, subtables: 0 });
    expect(sampled.random_walk).toBeGreaterThan(0);
    const fas = await start(createFasStage(), client());
    await drainByCount(env.kafka, [fas]);
    const produced = await env.read('fw.fas.questions');
    const numeric = produced.find((q) => q.style === 'numeric');
    expect(numeric).toMatchObject({ answer: '23', strategy: 'llm', operations: [{ op: 'describe_entity', detail: 'Ada Moreno → the keeper' }] });
    expect(numeric!.evidence.map((e) => e.statement)).toEqual(['Ada Moreno was born in Valparaiso in 1851.', 'The Harbor Lighthouse was built in 1874 on the north pier of Port Calder.']);
    expect(numeric!.llm).toMatchObject({ model: 'fake-model', calls: 1 });
    expect(numeric!.llm!.input_tokens).toBeGreaterThan(0);
    expect(produced.some((q) => q.answer === 'Gustave Eiffel')).toBe(false);
    expect((await env.read('fw.drops')).some((d) => d.reason === 'question:unsupported-answer')).toBe(true);
    expect(fake.chatRequests.length).toBeGreaterThanOrEqual(3); // two documents, at least one cluster

    // planning and reasoning actions come from the model too, validated (a wrong final answer was retried)
    const actions = (await env.read('fw.fas.actions')).filter((a) => a.question_id === numeric!.id);
    const plan = actions.find((a) => a.kind === 'planning')!;
    expect(plan.items).toHaveLength(3);
    expect(plan.items[0]).toMatch(/^Perspective 1 \(entity-first\): .* First action: search\("Harbor Lighthouse"\)$/);
    expect(plan.llm).toMatchObject({ model: 'fake-model' });
    const reason = actions.find((a) => a.kind === 'reasoning')!;
    expect(reason).toMatchObject({ preliminary_answer: '1851', final_answer: '23' });
    expect(reason.text).toMatch(/Decomposition:[\s\S]*Preliminary answer: 1851[\s\S]*Check against every step: [\s\S]*Final answer: 23/);
    expect(reasoningReplies).toBeGreaterThan(produced.length); // the first reply failed validation and was asked again

    // the same clusters sampled again: their questions are duplicates of emitted ones and are dropped
    const previously = await consumedBy(fas.running);
    await sampleAndPublish({ kafka: env.cluster, names: env.names, serde: env.serde, config: env.config }, { seed: 1, walks: 10, subtables: 0 });
    await drainByCount(env.kafka, [{ ...fas, previously }]);
    expect(await env.read('fw.fas.questions')).toHaveLength(produced.length);
    expect((await env.read('fw.drops')).filter((d) => d.reason === 'question:near-duplicate').length).toBeGreaterThanOrEqual(produced.length);
  });
});
