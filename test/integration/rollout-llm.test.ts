import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../services/platform/llm/index.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { startStage } from '../../services/platform/runtime/runner.ts';
import { qaDocuments, qaQuestion, readQaFile } from '../../services/rollout/eval/qa-file.ts';
import { createRolloutStage } from '../../services/rollout/stage.ts';
import { waitForQuestions } from '../../services/rollout/eval/run.ts';
import { FakeOpenAiServer, type RecordedRequest } from '../fakes/openai-server.ts';
import { TestEnv } from '../support.ts';

const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

type WireMessage = { role: string; content: string | null; tool_calls?: unknown[] };

/**
 * A model stand-in behind the OpenAI protocol: search for the question, visit the first result, then answer
 * with that page's title. ReAct requests carry the history as `tool` messages; IterResearch requests carry
 * only the workspace, so the fake reads its "Last action" line.
 */
function policyResponder(request: RecordedRequest) {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const question = String(messages[1]?.content ?? '');
  const tools = messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
  const workspace = question.startsWith('Question: ');
  const last = workspace ? (/Last action: (\w+)/.exec(question)?.[1] ?? '') : tools.length === 0 ? '' : tools.length === 1 ? 'search' : 'visit';
  const observation = workspace ? question.split('\nObservation:\n')[1] ?? '' : tools[tools.length - 1] ?? '';
  if (!last || last === '(none') {
    const q = workspace ? /^Question: (.*)$/m.exec(question)![1] : question;
    return { content: '<think>search</think><report>starting</report>', tool_calls: [{ name: 'search', arguments: JSON.stringify({ query: [q] }) }] };
  }
  if (last === 'search') {
    const link = /^1\. \[.*\]\((\S+)\)$/m.exec(observation)?.[1] ?? 'nothing';
    return { content: '<think>read the top hit</think><report>top hit found</report>', tool_calls: [{ name: 'visit', arguments: { url: link, goal: 'answer' } }] };
  }
  const title = /^The useful information in \S+ \((.*)\) for user goal/.exec(observation)?.[1] ?? 'unknown';
  return { content: `<think>the page says it</think><report>answer: ${title}</report><answer>${title}</answer>` };
}

describe('rollout service with the LLM policy (fake OpenAI server, real broker)', () => {
  let fake: FakeOpenAiServer;
  // one topic set per mode: a second service would otherwise also answer the first one's questions
  const envs = { react: new TestEnv({ ROLLOUT_G: '2', ROLLOUT_POLICY: 'llm', ROLLOUT_MODE: 'react' }), iterresearch: new TestEnv({ ROLLOUT_G: '2', ROLLOUT_POLICY: 'llm', ROLLOUT_MODE: 'iterresearch' }) };
  const items = readQaFile(qaFile, 3);
  const { docs, docIdsByItem } = qaDocuments(items, qaFile, 1);
  const questions = items.map((item) => qaQuestion(item, qaFile, docIdsByItem.get(item.id) ?? [], 1));

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ responder: policyResponder });
    for (const env of Object.values(envs)) {
      await env.createTopics();
      await env.produce('fw.docs', docs);
    }
  });
  afterAll(async () => {
    await fake.close();
    for (const env of Object.values(envs)) await env.cleanup();
  });

  for (const mode of ['react', 'iterresearch'] as const) {
    it(`${mode}: trajectories carry the model, its sampling and token usage; requests use the tool-call format`, async () => {
      const env = envs[mode];
      const before = fake.chatRequests.length;
      const stage = createRolloutStage();
      const llm = createLlmClient({ baseURL: fake.url, model: 'fake-policy', cache: { enabled: false, dir: env.home, disabledPurposes: [] } });
      const running = await startStage(stage, { env: env.env, http: false, progressEveryMs: 0, llm });
      await env.produce('fw.fas.questions', questions);
      try {
        await waitForQuestions(running, questions.length, 2, 120_000);
        await env.drain([{ groupId: running.groupId, inputs: stage.inputs }]);
      } finally {
        await running.stop();
      }
      const trajectories = await env.read('fw.rollout.trajectories');
      expect(trajectories).toHaveLength(questions.length * 2);
      for (const t of trajectories) {
        expect(t.termination).toBe('answered');
        expect(t.steps.map((s) => s.tool_call?.name ?? 'answer')).toEqual(['search', 'visit', 'answer']);
        expect(t.policy).toMatchObject({ model: 'fake-policy', temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1 });
        expect(t.llm?.calls).toBe(3);
        expect(t.llm!.input_tokens).toBeGreaterThan(0);
        expect(t.prediction).toBe(t.steps[1].tool_response.match(/\((.*)\) for user goal/)![1]);
        if (mode === 'iterresearch') expect(t.steps[2].report).toBe(`answer: ${t.prediction}`);
      }
      const requests = fake.chatRequests.slice(before);
      expect(requests).toHaveLength(questions.length * 2 * 3);
      for (const r of requests) {
        expect(r.body).toMatchObject({ temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1 });
        expect((r.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual(['search', 'visit', 'PythonInterpreter', 'google_scholar', 'parse_file']);
      }
      const lengths = requests.map((r) => (r.body.messages as WireMessage[]).length).sort();
      if (mode === 'react') {
        expect(lengths).toEqual([...Array(6).fill(2), ...Array(6).fill(4), ...Array(6).fill(6)]);
        const third = requests.find((r) => (r.body.messages as WireMessage[]).length === 6)!;
        expect((third.body.messages as WireMessage[]).map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
      } else {
        expect(lengths.every((n) => n === 2)).toBe(true); // the workspace is rebuilt: system + one user turn
      }
      const groups = await env.read('fw.rl.groups');
      const leftOut = (await env.read('fw.drops')).filter((d) => d.reason === 'unanswerable' || d.reason === 'rl_group_too_easy');
      expect(groups.length + leftOut.length).toBe(questions.length);
      expect(groups.every((g) => g.answerability === 'useful')).toBe(true);
    });
  }
});
