import { describe, expect, it } from 'vitest';
import { TransientError } from '../../platform/errors.ts';
import type { ChatRequest, ChatResponse, LlmClient } from '../../platform/llm/types.ts';
import { seededRandom } from '../../platform/runtime/random.ts';
import { Corpus } from '../corpus/corpus.ts';
import { corpusBackend, searchTool } from '../tools/search.ts';
import { Toolbox } from '../tools/toolbox.ts';
import { pythonTool } from '../tools/python.ts';
import { visitTool } from '../tools/visit.ts';
import { llmPolicy } from './llm-policy.ts';
import { runAgent, type AgentBudget } from './loop.ts';
import { parseReply } from './parse-reply.ts';
import { scriptedPolicy } from './scripted-policy.ts';
import type { AgentMode, PolicySession } from './types.ts';

const pages = [
  ['d1', 'Scott Derrickson', 'Scott Derrickson (born July 16, 1966) is an American director, screenwriter and producer.'],
  ['d2', 'Ed Wood', 'Edward Davis Wood Jr. (October 10, 1924 – December 10, 1978) was an American filmmaker, actor, and author.'],
  ['d3', 'Doctor Strange (2016 film)', 'Doctor Strange is a 2016 American superhero film directed by Scott Derrickson.'],
  ['d4', 'Plan 9 from Outer Space', 'Plan 9 from Outer Space is a 1957 science fiction film written and directed by Ed Wood.'],
];
const corpus = new Corpus();
for (const [id, title, text] of pages) corpus.add({ id, title, text, url: '', source_kind: 'qa', content_hash: id, quality: {} });
const toolbox = new Toolbox([searchTool(corpusBackend(corpus)), visitTool(corpus)]);
const budget: AgentBudget = { maxCalls: 12, maxContextTokens: 100_000, timeLimitMs: 60_000 };

function run(mode: AgentMode, question: string, session: PolicySession, over: Partial<AgentBudget> = {}, now?: () => number) {
  return runAgent({ mode, question, session, toolbox, toolContext: {}, budget: { ...budget, ...over }, now });
}

const scripted = (question: string, index = 0) => scriptedPolicy().start({ question, rolloutIndex: index, random: seededRandom(`${question}:${index}`), seed: index });

describe('scripted policy, both modes', () => {
  const comparison = 'Who was born first, Scott Derrickson or Ed Wood?';
  for (const mode of ['react', 'iterresearch'] as const) {
    it(`${mode}: search → visit → answer on a comparison question`, async () => {
      const result = await run(mode, comparison, scripted(comparison));
      expect(result.termination).toBe('answered');
      expect(result.prediction).toBe('Ed Wood');
      expect(result.steps[0].tool_call?.name).toBe('search');
      expect(result.calls.filter((c) => c.name === 'visit').map((c) => String(c.arguments.url)).sort()).toEqual(['local://doc/d1', 'local://doc/d2']);
      const last = result.steps[result.steps.length - 1];
      expect(last.answer).toBe('Ed Wood');
      expect(last.tool_call).toBeNull();
      if (mode === 'iterresearch') {
        expect(last.report).toContain('### Ed Wood (local://doc/d2)');
        expect(result.steps.every((s) => s.report.startsWith('## Searches'))).toBe(true);
      } else {
        expect(result.steps.every((s) => s.report === '')).toBe(true);
      }
    });
  }

  for (const mode of ['react', 'iterresearch'] as const) {
    it(`${mode}: hands a numeric comparison to the sandboxed interpreter`, async () => {
      const withPython = new Toolbox([searchTool(corpusBackend(corpus)), visitTool(corpus), pythonTool({ timeoutMs: 5000 })]);
      const result = await runAgent({ mode, question: comparison, session: scripted(comparison), toolbox: withPython, toolContext: {}, budget });
      expect(result.steps.map((s) => s.tool_call?.name ?? 'answer')).toEqual(['search', 'visit', 'visit', 'PythonInterpreter', 'answer']);
      expect(result.steps[3].tool_response).toBe('stdout:\nEd Wood\n');
      expect(JSON.parse(result.steps[3].tool_call!.arguments_json).code).toContain('"Ed Wood":1924');
      expect(result.prediction).toBe('Ed Wood');
      if (mode === 'iterresearch') expect(result.steps[4].report).toMatch(/## Computed\nEd Wood$/);
    });
  }

  // two template questions of a demo round that every scripted rollout got wrong, so rollout called them
  // unanswerable: the date instead of the year ("21 August 1976"), and a year of the page instead of the gap
  it('answers "in which year" with the year, not the whole date', async () => {
    const question = 'In which year was Scott Derrickson born?';
    for (const mode of ['react', 'iterresearch'] as const) expect((await run(mode, question, scripted(question))).prediction).toBe('1966');
  });

  for (const mode of ['react', 'iterresearch'] as const) {
    it(`${mode}: computes "how many years after A … was B …" from each page's year, in the interpreter`, async () => {
      const question = 'How many years after Ed Wood was born was Scott Derrickson born?';
      const withPython = new Toolbox([searchTool(corpusBackend(corpus)), visitTool(corpus), pythonTool({ timeoutMs: 5000 })]);
      const result = await runAgent({ mode, question, session: scripted(question), toolbox: withPython, toolContext: {}, budget });
      expect(result.calls.filter((c) => c.name === 'visit').map((c) => String(c.arguments.url)).sort()).toEqual(['local://doc/d1', 'local://doc/d2']);
      const python = result.steps.find((s) => s.tool_call?.name === 'PythonInterpreter');
      expect(JSON.parse(python!.tool_call!.arguments_json).code).toContain('{"Ed Wood":1924,"Scott Derrickson":1966}');
      expect(result.prediction).toBe('42');
      expect(result.steps.at(-1)!.thought).toContain('the difference computed in Python is 42');
    });
  }

  it('answers a bridge question from the page the question does not name', async () => {
    const q = 'Who directed the 1957 science fiction film Plan 9 from Outer Space?';
    expect((await run('react', q, scripted(q))).prediction).toBe('Ed Wood');
  });

  it('IterResearch keeps the context about constant while ReAct grows it', async () => {
    const q = 'Who was born first, Scott Derrickson or Ed Wood?';
    const react = await run('react', q, scripted(q));
    const iter = await run('iterresearch', q, scripted(q));
    const growth = (steps: typeof react.steps) => steps[steps.length - 1].input_tokens - steps[1].input_tokens;
    expect(growth(react.steps)).toBeGreaterThan(growth(iter.steps));
  });

  it('is deterministic per rollout index', async () => {
    const q = 'Who directed Doctor Strange?';
    const a = await run('react', q, scripted(q, 2));
    const b = await run('react', q, scripted(q, 2));
    expect(JSON.stringify(a.steps)).toBe(JSON.stringify(b.steps));
  });
});

describe('budgets and terminations', () => {
  const q = 'Who was born first, Scott Derrickson or Ed Wood?';
  it('forces a final answer at the context limit', async () => {
    const free = await run('react', q, scripted(q));
    const limit = free.steps[2].input_tokens - 1; // exceeded once a search and one visit are in the context
    const result = await run('react', q, scripted(q), { maxContextTokens: limit });
    expect(result.termination).toBe('forced_answer_token_limit');
    expect(result.steps).toHaveLength(3);
    expect(result.steps[2].answer).toBe(result.prediction);
    expect(result.prediction).not.toBe('');
  });

  it('stops at the call budget without an answer', async () => {
    const result = await run('react', q, scripted(q), { maxCalls: 2 });
    expect(result.termination).toBe('call_budget');
    expect(result.prediction).toBe('');
    expect(result.steps).toHaveLength(2);
  });

  it('stops at the time limit', async () => {
    let t = 0;
    const result = await run('react', q, scripted(q), { timeLimitMs: 25 }, () => (t += 10));
    expect(result.termination).toBe('time_limit');
  });

  it('a malformed reply ends in format_error; a failing policy in error; a transient failure propagates', async () => {
    const malformed: PolicySession = { decide: async () => ({ thought: 'hmm', malformed: 'no tags', inputTokens: 1, outputTokens: 1 }) };
    expect(await run('react', q, malformed)).toMatchObject({ termination: 'format_error', error: 'no tags' });
    const broken: PolicySession = { decide: async () => { throw new Error('boom'); } };
    expect(await run('react', q, broken)).toMatchObject({ termination: 'error', error: 'boom' });
    const flaky: PolicySession = { decide: async () => { throw new TransientError('429'); } };
    await expect(run('react', q, flaky)).rejects.toBeInstanceOf(TransientError);
  });
});

/** An in-test LlmClient that replays canned replies and records the requests. */
function cannedClient(replies: Array<Partial<ChatResponse>>): LlmClient & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    model: 'fake-policy',
    requests,
    async chat(request) {
      requests.push(structuredClone(request));
      const reply = replies[requests.length - 1] ?? { content: '<answer>out of replies</answer>' };
      return { content: '', tool_calls: [], finish_reason: 'stop', model: 'fake-policy', cached: false, usage: { model: 'fake-policy', endpoint: '', prompt_template_hash: '', input_tokens: 100, output_tokens: 20, calls: 1, cached_calls: 0, cost_usd: 0.001 }, ...reply };
    },
    async structured() {
      throw new Error('unused');
    },
    async close() {},
  };
}

const sampling = { temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1 };

describe('LLM policy', () => {
  it('ReAct with native tool calls: OpenAI message history, sampling defaults, usage summed', async () => {
    const client = cannedClient([
      { content: '<think>search first</think>', tool_calls: [{ id: 'a', name: 'search', arguments: { query: ['Plan 9 from Outer Space director'] } }] },
      { content: '<think>read it</think>', tool_calls: [{ id: 'b', name: 'visit', arguments: { url: 'local://doc/d4', goal: 'director' } }] },
      { content: '<think>found</think>\n<answer>Ed Wood</answer>' },
    ]);
    const policy = llmPolicy({ client, tools: toolbox.specs, sampling, maxTokensPerCall: 512 });
    const result = await run('react', 'Who directed Plan 9?', policy.start({ question: 'q', rolloutIndex: 0, random: Math.random, seed: 7 }));
    expect(result).toMatchObject({ termination: 'answered', prediction: 'Ed Wood' });
    expect(result.llm).toMatchObject({ calls: 3, input_tokens: 300, output_tokens: 60 });
    expect(result.steps.map((s) => s.thought)).toEqual(['search first', 'read it', 'found']);
    const third = client.requests[2];
    expect(third).toMatchObject({ purpose: 'rollout', temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1, cache: false, seed: 9 });
    expect(third.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    expect(third.messages[3]).toMatchObject({ role: 'tool', tool_call_id: 'call_0', name: 'search' });
    expect(third.messages[5].content).toContain('written and directed by Ed Wood');
    expect(third.tools?.map((t) => t.name)).toEqual(['search', 'visit']);
  });

  it('IterResearch in tag format: each round sees only question, report and the last observation', async () => {
    const client = cannedClient([
      { content: '<think>start</think><report>nothing yet</report><tool_call>{"name": "search", "arguments": {"query": ["Ed Wood born"]}}</tool_call>' },
      { content: "<think>ok</think><report>Ed Wood: born 1924 (local://doc/d2)</report><tool_call>{name: 'visit', arguments: {url: 'd1', goal: 'birth'}}</tool_call>" },
      { content: '<think>compare</think><report>Ed Wood 1924; Scott Derrickson 1966</report><answer>Ed Wood</answer>' },
    ]);
    const policy = llmPolicy({ client, tools: toolbox.specs, sampling, maxTokensPerCall: 512 });
    const result = await run('iterresearch', 'Who was born first, Scott Derrickson or Ed Wood?', policy.start({ question: 'q', rolloutIndex: 1, random: Math.random, seed: 1 }));
    expect(result).toMatchObject({ termination: 'answered', prediction: 'Ed Wood' });
    expect(result.steps.map((s) => s.report)).toEqual(['nothing yet', 'Ed Wood: born 1924 (local://doc/d2)', 'Ed Wood 1924; Scott Derrickson 1966']);
    const third = client.requests[2].messages;
    expect(third).toHaveLength(2);
    expect(third[1].content).toContain('Report so far:\nEd Wood: born 1924 (local://doc/d2)');
    expect(third[1].content).toContain('Last action: visit {"url":"d1","goal":"birth"}');
    expect(third[1].content).toContain('Scott Derrickson (born July 16, 1966)');
    expect(third[1].content).not.toContain('A search for'); // the first observation is gone
  });

  it('at the token limit the policy is asked to answer without tools', async () => {
    const client = cannedClient([{ content: '<think>forced</think><answer>Ed Wood</answer>' }]);
    const policy = llmPolicy({ client, tools: toolbox.specs, sampling, maxTokensPerCall: 512 });
    const result = await run('react', 'Who directed Plan 9?', policy.start({ question: 'q', rolloutIndex: 0, random: Math.random, seed: 0 }), { maxContextTokens: 10 });
    expect(result.termination).toBe('forced_answer_token_limit');
    expect(client.requests[0].tools).toBeUndefined();
    expect(client.requests[0].messages.at(-1)?.content).toMatch(/context limit/);
  });
});

describe('reply parsing', () => {
  it('reads tags, lenient JSON and python code blocks', () => {
    expect(parseReply('<think>a</think>\n<answer>42</answer>')).toEqual({ thought: 'a', report: undefined, answer: '42' });
    expect(parseReply('<think>t</think><tool_call>{"name": "PythonInterpreter", "arguments": {}}\n<code>\nprint(1)\n</code></tool_call>').call).toEqual({ name: 'PythonInterpreter', arguments: { code: 'print(1)' } });
    expect(parseReply('<tool_call>{"name":"search","arguments":"{\\"query\\":[\\"x\\"]}"}</tool_call>').call).toEqual({ name: 'search', arguments: { query: ['x'] } });
    expect(parseReply('<tool_call>{not json</tool_call>').malformed).toMatch(/not valid JSON/);
    expect(parseReply('just words').malformed).toMatch(/neither/);
    expect(parseReply('<think>x</think><tool_call>{"name":"search","arguments":{"query":["a"]}}</tool_call>\n<tool_response>invented').call?.name).toBe('search');
  });
});
