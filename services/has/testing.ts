import { loadConfig, loadPlatformConfig } from '../platform/config.ts';
import type { Trajectory } from '../platform/generated/records.ts';
import { createLogger } from '../platform/logger.ts';
import { contentId, recordMeta } from '../platform/records.ts';
import { StageMetrics } from '../platform/runtime/metrics.ts';
import { seededRandom } from '../platform/runtime/random.ts';
import type { AnyStage, InputRecord, OutputRecord, StageContext } from '../platform/runtime/stage.ts';

/**
 * Runs a stage's `process` on one value without Kafka, with the same context the runtime builds (unit tests
 * of has/recycle; the integration tests run the real runtime).
 */
export async function processOnce(stage: AnyStage, topic: string, value: unknown, env: NodeJS.ProcessEnv = {}, round = 1): Promise<OutputRecord[]> {
  const producer = { service: stage.name, version: stage.version, instance: 'unit' };
  const metrics = new StageMetrics();
  const config = stage.config ? loadConfig(stage.config, env) : {};
  const base: Omit<StageContext<unknown, unknown>, 'state'> = {
    stage: stage.name,
    config,
    platform: loadPlatformConfig({}),
    logger: createLogger({ level: 'silent' }),
    metrics,
    round,
    producer,
    signal: new AbortController().signal,
    meta: (id, parents) => recordMeta({ id, round, producer, parents, now: 0 }),
    drop: (reason, subjectId, detail = '', parents) => ({
      topic: 'fw.drops' as const,
      value: { ...recordMeta({ id: contentId('drop', stage.name, reason, subjectId), round, producer, parents: parents ?? [subjectId], now: 0 }), stage: stage.name, reason, subject_id: subjectId, detail },
    }),
    random: (key) => seededRandom(`${stage.name}:${key}`),
  };
  const state = stage.setup ? await stage.setup(base) : undefined;
  const record: InputRecord = { topic: topic as InputRecord['topic'], partition: 0, offset: '0', key: null, value: value as InputRecord['value'], headers: {}, timestamp: '0' };
  return stage.process(record, { ...base, state });
}

/** A three-step rollout (search → visit → answer) over a small offline web, for HAS and recycle tests. */
export function sampleTrajectory(overrides: Partial<Trajectory> = {}): Trajectory {
  return {
    ...recordMeta({ id: 'traj_unit_1', round: 1, producer: { service: 'rollout', version: '1', instance: '' }, now: Date.UTC(2026, 0, 2) }),
    question_id: 'q1',
    question: 'Which film did the director of Plan 9 from Outer Space make in 1953?',
    reference_answer: 'Glen or Glenda',
    question_style: 'multi_hop',
    group_id: 'g1',
    rollout_index: 0,
    mode: 'react',
    steps: [
      {
        index: 0,
        thought: 'I should find out who directed Plan 9 from Outer Space.',
        report: '',
        tool_call: { name: 'search', arguments_json: JSON.stringify({ query: ['Plan 9 from Outer Space director'] }) },
        tool_response: "A search for 'Plan 9 from Outer Space director' found 2 results:\n\n## Web Results\n1. [Ed Wood](local://doc/ed_wood)\nEd Wood directed Plan 9.\n\n2. [Plan 9](local://doc/plan9)\nA 1957 film.",
        answer: null,
        input_tokens: 100,
        output_tokens: 20,
      },
      {
        index: 1,
        thought: 'Ed Wood directed it; his page should list his 1953 film.',
        report: '',
        tool_call: { name: 'visit', arguments_json: JSON.stringify({ url: 'local://doc/ed_wood', goal: 'films from 1953' }) },
        tool_response: 'Ed Wood made Glen or Glenda in 1953 and Plan 9 from Outer Space in 1957.',
        answer: null,
        input_tokens: 200,
        output_tokens: 20,
      },
      { index: 2, thought: 'The page names it.', report: '', tool_call: null, tool_response: '', answer: 'Glen or Glenda', input_tokens: 250, output_tokens: 10 },
    ],
    prediction: 'Glen or Glenda',
    termination: 'answered',
    reward: 1,
    judge: { kind: 'exact', correct: true, em: 1, f1: 1, rationale: '' },
    policy: { model: 'scripted', model_version: 'r1', temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1, max_steps: 8 },
    tool_call_count: 2,
    disposition: 'sft',
    llm: null,
    ...overrides,
  };
}
