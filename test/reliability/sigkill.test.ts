import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { contentId } from '../../services/platform/records.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';
import { cptIdOf, makeDocs } from './docs.ts';
import { evictMembers, printReport, randomBetween, sleep, StageProcess, stopStages, tally, type ReportRow } from './harness.ts';
import { CpuStressor } from './stressor.ts';

/**
 * (a) SIGKILL a stage process mid-batch, again and again, while input keeps arriving; then let one instance
 * finish. The output topic, read with read_committed, must hold every input's output exactly once: no loss and
 * no duplicate, also while a CPU stressor keeps the load average above four times the cores (timing-dependent
 * recovery would show here). Stages with deterministic outputs only: each scenario knows the output id of every
 * input.
 */
const rows: ReportRow[] = [];
const overloaded = 4 * os.availableParallelism();

interface Scenario<T extends TopicName> {
  stage: string;
  /** Run under the CPU stressor. */
  stressed?: boolean;
  input: T;
  kills: number;
  make(from: number, count: number): Array<TopicValues[T]>;
  outputId(value: TopicValues[T]): string;
}

const scenarios = [
  { stage: 'cpt-docs', input: 'fw.docs', kills: 20, make: (from, count) => makeDocs('kill', from, count), outputId: cptIdOf } satisfies Scenario<'fw.docs'>,
  { stage: 'cpt-docs', stressed: true, input: 'fw.docs', kills: 20, make: (from, count) => makeDocs('stress', from, count), outputId: cptIdOf } satisfies Scenario<'fw.docs'>,
  {
    stage: 'recycle',
    input: 'fw.trajectories.discarded',
    kills: 6,
    make: (from, count) => Array.from({ length: count }, (_, i) => ({ ...sampleValues()['fw.trajectories.discarded'], id: `traj_kill_${from + i}`, question_id: `q_${from + i}` })),
    outputId: (t) => contentId('cpt', 'discarded_trajectory', t.id),
  } satisfies Scenario<'fw.trajectories.discarded'>,
] as Array<Scenario<TopicName>>;

describe('reliability: SIGKILL mid-batch', () => {
  // small transactions so that a kill nearly always lands inside one; one isolated slice of the broker per scenario
  const envs = scenarios.map(() => new TestEnv({ STAGE_MAX_BATCH: '10', STAGE_CONCURRENCY: '4' }));
  beforeAll(() => Promise.all(envs.map((e) => e.createTopics())));
  afterAll(async () => {
    printReport('reliability: SIGKILL', rows);
    await stopStages();
    await Promise.all(envs.map((e) => e.cleanup()));
  });

  it.each(scenarios.map((s, i) => ({ ...s, i, load: s.stressed ? `load > ${overloaded}` : 'no added load' })))(
    '$stage killed $kills times with kill -9 ($load): nothing lost, nothing twice',
    async (scenario) => {
      const env = envs[scenario.i];
      const groupId = `${env.prefix}fw.${scenario.stage}`;
      const stressor = scenario.stressed ? new CpuStressor() : undefined;
      try {
        stressor?.start();
        if (stressor) await stressor.untilLoadAbove(overloaded);
        const { produced, kills, killsWhileBehind } = await killRepeatedly(env, scenario, groupId);
        const peak = stressor?.peakLoad();
        await stressor?.stop();

        // the input itself must hold each record once, or a duplicate output would be the test producer's doing
        const inputIds = (await env.read(scenario.input)).map((v) => (v as { id: string }).id);
        expect(inputIds.length - new Set(inputIds).size, 'duplicate records in the input topic').toBe(0);
        const outputs = (await env.read('fw.cpt.samples')).filter((s) => s.producer.service === scenario.stage);
        const result = tally(produced.map(scenario.outputId), outputs.map((s) => s.id));
        if (result.duplicated > 0) console.warn(describeDuplicates(outputs));
        rows.push({ fault: `SIGKILL ${scenario.stage} mid-batch${peak ? ` (load avg peak ${peak.toFixed(1)})` : ''}`, injected: kills, ...result });
        expect(killsWhileBehind).toBeGreaterThanOrEqual(scenario.kills / 2);
        expect(result.missing).toEqual([]);
        expect(result.duplicated).toBe(0);
        expect(result.recordsOut).toBe(produced.length);
        expect((await env.read('fw.dlq')).filter((l) => l.stage === scenario.stage)).toEqual([]);
      } finally {
        await stressor?.stop();
      }
    },
    1_500_000,
  );
});

/** Starts the stage, lets it work a little while input keeps arriving, kills it with SIGKILL; repeats; then drains. */
async function killRepeatedly(env: TestEnv, scenario: Scenario<TopicName>, groupId: string) {
  const produced = scenario.make(0, 400);
  await env.produce(scenario.input, produced);
  const admin = env.kafka.admin();
  await admin.connect();
  const behind = async () => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [env.topic(scenario.input)] });
    const ends = await admin.fetchTopicOffsets(env.topic(scenario.input));
    return ends.reduce((lag, p) => lag + Number(p.high) - Math.max(0, Number(committed.partitions.find((c) => c.partition === p.partition)?.offset ?? 0)), 0);
  };
  let kills = 0;
  let killsWhileBehind = 0;
  try {
    while (kills < scenario.kills) {
      const stage = new StageProcess(scenario.stage, env.env);
      // new input arrives while the stage starts and works: a backlog for every life
      const more = scenario.make(produced.length, 600);
      produced.push(...more);
      const feeding = env.produce(scenario.input, more);
      try {
        await stage.joined(180_000);
        // short enough that the kill lands while the backlog is being worked (a stage clears 600 records in about a second)
        await sleep(randomBetween(100, 700));
        if ((await behind()) > 0) killsWhileBehind++;
      } finally {
        await stage.kill('SIGKILL');
      }
      kills++;
      await feeding;
      await evictMembers(env.kafka, groupId);
      await sleep(1000); // a pod restart takes at least this long
    }
    const last = new StageProcess(scenario.stage, env.env);
    try {
      await last.joined(180_000);
      await env.drain([{ groupId, inputs: [scenario.input] }], 600_000);
    } finally {
      await last.kill('SIGTERM');
    }
    expect((await last.exited).code).toBe(0);
  } finally {
    await admin.disconnect();
  }
  return { produced, kills, killsWhileBehind };
}

/** For a failure message: each duplicated output with the times its copies were made. */
function describeDuplicates(outputs: Array<{ id: string; created_at: number; parent_ids: string[] }>): string {
  const byId = new Map<string, number[]>();
  for (const o of outputs) byId.set(o.id, [...(byId.get(o.id) ?? []), o.created_at]);
  return [...byId]
    .filter(([, times]) => times.length > 1)
    .slice(0, 20)
    .map(([id, times]) => `${id}: made at ${times.map((t) => new Date(t).toISOString()).join(', ')}`)
    .join('\n');
}
