import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLlmClient, type FlywheelLlmClient } from '../../services/platform/llm/client.ts';
import { contentId } from '../../services/platform/records.ts';
import { startStage, type RunningStage } from '../../services/platform/runtime/runner.ts';
import { defineStage } from '../../services/platform/runtime/stage.ts';
import type { Question } from '../../services/platform/generated/records.ts';
import { FakeOpenAiServer, type FakeReply, type RecordedRequest } from '../fakes/openai-server.ts';
import { sampleValues } from '../fixtures/records.ts';
import { fixtureMeta, TestEnv } from '../support.ts';

const Plan = z.object({ perspectives: z.array(z.string()).min(1) });

/** A tiny stage whose process asks the LLM for planning perspectives: fw.fas.questions → fw.fas.actions. */
function plannerStage(baseURL: string) {
  return defineStage<Record<string, never>, FlywheelLlmClient, 'fw.fas.questions'>({
    name: 'llm-storm-probe',
    version: '1.0.0',
    description: 'test stage: one structured LLM call per question',
    inputs: ['fw.fas.questions'],
    outputs: ['fw.fas.actions'],
    setup: (ctx) =>
      createLlmClient(
        {
          baseURL,
          model: 'fake-model',
          timeoutMs: 400,
          retry: { retries: 3, initialMs: 10, maxMs: 80 },
          governor: { maxInFlight: 4, requestsPerMinute: 0, tokensPerMinute: 0 },
          cache: { enabled: true, dir: path.join(ctx.platform.FLYWHEEL_HOME, 'llm-cache'), disabledPurposes: [] },
          prices: { 'fake-model': { input: 1, output: 4 } },
          structuredRetries: 1,
        },
        { logger: ctx.logger, registry: ctx.metrics.registry },
      ),
    async process(record, ctx) {
      const q = record.value;
      const { value, response } = await ctx.state.structured({
        purpose: 'planning',
        messages: [{ role: 'user', content: `Question ${q.id}: ${q.question}\nGive analysis perspectives.` }],
        schema: Plan,
        schemaName: 'plan',
        signal: ctx.signal,
      });
      return [
        {
          topic: 'fw.fas.actions',
          value: {
            ...ctx.meta(contentId('act', 'planning', q.id), [q.id]),
            question_id: q.id,
            kind: 'planning',
            items: value.perspectives,
            preliminary_answer: '',
            final_answer: '',
            text: value.perspectives.join('\n'),
            llm: response.usage,
          },
        },
      ];
    },
  });
}

/** Faults each ordinary question meets before a good answer (cycled by question index). */
const faultPlans: FakeReply[][] = [
  [{ fault: 'rate_limit', retryAfterMs: 50 }],
  [{ fault: 'server_error' }],
  [{ fault: 'timeout' }],
  [{ fault: 'malformed_json' }],
  [{ fault: 'truncated' }, { fault: 'reset' }],
  [{ content: 'Perspectives: history, geography.' }], // not JSON: corrected on the structured retry
  [{ fault: 'rate_limit', retryAfterSeconds: 0 }, { fault: 'server_error', status: 503 }],
  [],
];

describe('a stage calling the LLM under a fault storm', () => {
  const env = new TestEnv({ LOG_LEVEL: 'error', STAGE_MAX_RETRIES: '2', STAGE_RETRY_INITIAL_MS: '50', STAGE_RETRY_MAX_MS: '200', STAGE_CONCURRENCY: '4' });
  let fake: FakeOpenAiServer;
  let running: RunningStage | undefined;
  const ordinary: Question[] = [];
  const poison: Question[] = []; // the model never answers these in the schema → LLM_OUTPUT_INVALID
  const down: Question[] = []; // the endpoint fails for these every time → TRANSIENT after retries
  const attempts = new Map<string, number>();

  const storm = (request: RecordedRequest): FakeReply => {
    const id = /Question (\S+):/.exec(JSON.stringify(request.body.messages))?.[1] ?? '';
    const n = attempts.get(id) ?? 0;
    attempts.set(id, n + 1);
    if (poison.some((q) => q.id === id)) return { content: '{"perspectives": "not a list"}' };
    if (down.some((q) => q.id === id)) return { fault: 'server_error', status: 500 };
    const index = ordinary.findIndex((q) => q.id === id);
    const plan = faultPlans[index % faultPlans.length];
    return plan[n] ?? { content: JSON.stringify({ perspectives: [`timeline of ${id}`, `people in ${id}`] }) };
  };

  beforeAll(async () => {
    await env.createTopics();
    fake = await FakeOpenAiServer.start({ responder: storm, latencyMs: 5 });
    const question = (i: number): Question => ({ ...sampleValues()['fw.fas.questions'], ...fixtureMeta('q'), question: `Question number ${i}?` });
    for (let i = 0; i < 16; i++) ordinary.push(question(i));
    for (let i = 0; i < 2; i++) poison.push(question(100 + i));
    for (let i = 0; i < 2; i++) down.push(question(200 + i));
  });

  afterAll(async () => {
    await running?.stop();
    await fake?.close();
    await env.cleanup();
  });

  it('writes every input either to the output topic or to fw.dlq — nothing lost, nothing twice', async () => {
    const stage = plannerStage(fake.url);
    running = await startStage(stage, { env: env.env, http: false, progressEveryMs: 0 });
    const all = [...ordinary, ...poison, ...down];
    await env.produce('fw.fas.questions', all);
    await env.drain([{ groupId: running.groupId, inputs: stage.inputs }]);

    const actions = await env.read('fw.fas.actions');
    const letters = await env.read('fw.dlq');
    const answered = actions.map((a) => a.question_id);
    const dead = new Map(letters.map((l) => [l.original_key!.toString('utf8'), l]));

    expect(new Set(answered).size).toBe(answered.length); // exactly once
    expect([...answered, ...dead.keys()].sort()).toEqual(all.map((q) => q.id).sort()); // nothing lost
    expect(answered.sort()).toEqual(ordinary.map((q) => q.id).sort());
    for (const q of poison) expect(dead.get(q.id)?.error_code).toBe('LLM_OUTPUT_INVALID');
    for (const q of down) {
      expect(dead.get(q.id)?.error_code).toBe('TRANSIENT');
      expect(dead.get(q.id)?.attempts).toBe(3); // the runtime's own retries on top of the client's
    }
    for (const action of actions) {
      expect(action.llm).toMatchObject({ model: 'fake-model' });
      expect(action.llm!.calls).toBeGreaterThanOrEqual(1);
      expect(action.llm!.cost_usd).toBeGreaterThan(0);
    }
    const faulted = [...attempts.entries()].filter(([id, n]) => n > 1 && ordinary.some((q) => q.id === id));
    expect(faulted.length).toBeGreaterThanOrEqual(12); // the storm really hit
  });
});
