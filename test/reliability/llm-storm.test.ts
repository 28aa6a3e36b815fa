import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trajectory } from '../../services/platform/generated/records.ts';
import { FakeOpenAiServer, type FakeReply, type RecordedRequest } from '../fakes/openai-server.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';
import { printReport, StageProcess, stopStages, type ReportRow } from './harness.ts';

/**
 * (e) An LLM fault storm against a real stage process: `flywheel run has` with HAS_CANDIDATES=llm, pointed at
 * the fake OpenAI-compatible server, which answers with rate limits, 5xx, timeouts, malformed and truncated
 * bodies and dropped connections before a good answer; a few trajectories never get one. Every input must end
 * up either in the outputs (once) or in fw.dlq, and the process must not crash.
 * (test/integration/llm-stage.test.ts covers the same contract in-process, with error codes per fault.)
 */
const rows: ReportRow[] = [];
const faultCycle: FakeReply[] = [
  { fault: 'rate_limit', retryAfterMs: 20 },
  { fault: 'server_error', status: 503 },
  { fault: 'malformed_json' },
  { fault: 'timeout' },
  { fault: 'truncated' },
  { fault: 'reset' },
];

describe('reliability: LLM fault storm', () => {
  const env = new TestEnv();
  let fake: FakeOpenAiServer;
  let faultsServed = 0;
  const attempts = new Map<string, number>();

  const storm = (request: RecordedRequest): FakeReply => {
    const text = JSON.stringify(request.body.messages ?? []);
    const key = /Question: (Storm question \d+|DOOMED \d+)/.exec(text)?.[1] ?? 'other';
    const n = attempts.get(key) ?? 0;
    attempts.set(key, n + 1);
    if (key.startsWith('DOOMED')) {
      faultsServed++;
      return { fault: 'server_error', status: 500 };
    }
    const index = Number(/\d+/.exec(key)?.[0] ?? 0);
    if (n < index % 4) {
      faultsServed++;
      return faultCycle[(index + n) % faultCycle.length];
    }
    const candidates = [1, 2, 3].map((k) => ({ thought: `another angle ${k}`, tool: 'search', arguments: { query: [`${key} angle ${k}`] } }));
    return { content: JSON.stringify({ candidates }), usage: { prompt_tokens: 50, completion_tokens: 20 } };
  };

  beforeAll(async () => {
    await env.createTopics();
    fake = await FakeOpenAiServer.start({ responder: storm, latencyMs: 2 });
  });
  afterAll(async () => {
    printReport('reliability: LLM fault storm', rows);
    await stopStages();
    await fake?.close();
    await env.cleanup();
  });

  it('every trajectory comes out once or lands in fw.dlq; the stage never crashes', async () => {
    const base = sampleValues()['fw.rollout.trajectories'];
    const make = (question: string, i: number): Trajectory => ({ ...base, id: `traj_storm_${i}`, question_id: `q_storm_${i}`, question });
    const good = Array.from({ length: 24 }, (_, i) => make(`Storm question ${i}`, i));
    const doomed = Array.from({ length: 3 }, (_, i) => make(`DOOMED ${i}`, 100 + i));
    await env.produce('fw.rollout.trajectories', [...good, ...doomed]);

    const stage = new StageProcess('has', {
      ...env.env,
      HAS_CANDIDATES: 'llm',
      FLYWHEEL_LLM: 'openai',
      OPENAI_BASE_URL: fake.url,
      LLM_MODEL: 'fake-model',
      LLM_TIMEOUT_MS: '400',
      LLM_MAX_RETRIES: '4',
      LLM_RETRY_INITIAL_MS: '10',
      LLM_RETRY_MAX_MS: '100',
      LLM_CACHE: 'false',
      STAGE_MAX_RETRIES: '2',
      STAGE_RETRY_INITIAL_MS: '50',
      STAGE_RETRY_MAX_MS: '200',
    });
    await stage.joined();
    await env.drain([{ groupId: `${env.prefix}fw.has`, inputs: ['fw.rollout.trajectories'] }], 180_000);
    const crashedBeforeStop = !stage.alive;
    await stage.kill('SIGTERM');

    const samples = await env.read('fw.has.samples');
    const letters = (await env.read('fw.dlq')).filter((l) => l.stage === 'has');
    const answered = samples.map((s) => s.trajectory_id);
    const dead = letters.map((l) => l.original_key?.toString('utf8') ?? '');
    const all = [...good, ...doomed];
    // a dead letter keeps the input's Kafka key: the question id (schemas/topics.json)
    const lost = all.filter((t) => !answered.includes(t.id) && !dead.includes(t.question_id));
    const duplicated = answered.length - new Set(answered).size;
    rows.push({ fault: 'LLM fault storm (has, HAS_CANDIDATES=llm)', injected: faultsServed, recordsIn: all.length, recordsOut: new Set(answered).size + letters.length, lost: lost.length, duplicated });

    expect(crashedBeforeStop).toBe(false);
    expect(stage.errors().filter((l) => /crash/i.test(l.msg))).toEqual([]);
    expect(faultsServed).toBeGreaterThanOrEqual(30); // the storm really hit
    expect(duplicated).toBe(0);
    expect(lost.map((t) => t.id)).toEqual([]);
    expect(new Set(answered)).toEqual(new Set(good.map((t) => t.id)));
    expect(letters).toHaveLength(doomed.length);
    for (const letter of letters) expect(letter.error_code).toBe('TRANSIENT');
  }, 300_000);
});
