import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { contentId } from '../../services/platform/records.ts';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';
import { cptIdOf, makeDocs } from './docs.ts';
import { evictMembers, printReport, randomBetween, sleep, StageProcess, tally, type ReportRow } from './harness.ts';

/**
 * (a) SIGKILL a stage process mid-batch, again and again, while input keeps arriving; then let one instance
 * finish. The output topic, read with read_committed, must hold every input's output, and (strict mode)
 * exactly once. Stages with deterministic outputs only: each scenario knows the output id of every input.
 */
/** Fail on duplicates too (exactly-once). Off by default: under heavy load a few can still occur (docs/runbook.md). */
const STRICT = process.env.FW_RELIABILITY_STRICT === '1';
const rows: ReportRow[] = [];

interface Scenario<T extends TopicName> {
  stage: string;
  input: T;
  kills: number;
  make(from: number, count: number): Array<TopicValues[T]>;
  outputId(value: TopicValues[T]): string;
}

const scenarios = [
  { stage: 'cpt-docs', input: 'fw.docs', kills: 20, make: (from, count) => makeDocs('kill', from, count), outputId: cptIdOf } satisfies Scenario<'fw.docs'>,
  {
    stage: 'recycle',
    input: 'fw.trajectories.discarded',
    kills: 6,
    make: (from, count) => Array.from({ length: count }, (_, i) => ({ ...sampleValues()['fw.trajectories.discarded'], id: `traj_kill_${from + i}`, question_id: `q_${from + i}` })),
    outputId: (t) => contentId('cpt', 'discarded_trajectory', t.id),
  } satisfies Scenario<'fw.trajectories.discarded'>,
] as Array<Scenario<TopicName>>;

describe('reliability: SIGKILL mid-batch', () => {
  // small transactions so that a kill nearly always lands inside one
  const env = new TestEnv({ STAGE_MAX_BATCH: '10', STAGE_CONCURRENCY: '4' });
  beforeAll(() => env.createTopics());
  afterAll(async () => {
    printReport('reliability: SIGKILL', rows);
    await env.cleanup();
  });

  it.each(scenarios)('$stage killed $kills times with kill -9 loses nothing', async (scenario) => {
    const groupId = `${env.prefix}fw.${scenario.stage}`;
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
    while (kills < scenario.kills) {
      const stage = new StageProcess(scenario.stage, env.env);
      // new input arrives while the stage starts and works: a backlog for every life
      const more = scenario.make(produced.length, 600);
      produced.push(...more);
      const feeding = env.produce(scenario.input, more);
      await stage.joined();
      await sleep(randomBetween(300, 1500));
      if ((await behind()) > 0) killsWhileBehind++;
      await stage.kill('SIGKILL');
      kills++;
      await feeding;
      await evictMembers(env.kafka, groupId);
      await sleep(1000); // a pod restart takes at least this long
    }

    const last = new StageProcess(scenario.stage, env.env);
    await last.joined();
    await env.drain([{ groupId, inputs: [scenario.input] }], 180_000);
    await last.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
    await admin.disconnect();

    const outputs = (await env.read('fw.cpt.samples')).filter((s) => s.producer.service === scenario.stage);
    const result = tally(produced.map(scenario.outputId), outputs.map((s) => s.id));
    rows.push({ fault: `SIGKILL ${scenario.stage} mid-batch`, injected: kills, ...result });
    expect(killsWhileBehind).toBeGreaterThanOrEqual(scenario.kills / 2);
    expect(result.missing).toEqual([]);
    expect(result.recordsOut - result.duplicated).toBe(produced.length);
    expect((await env.read('fw.dlq')).filter((l) => l.stage === scenario.stage)).toEqual([]);
    if (result.duplicated > 0 && !STRICT) {
      console.warn(
        `${result.duplicated} duplicate output(s) of ${scenario.stage} after SIGKILL (see docs/runbook.md, "Known issues"): the ` +
          'committed offset read after fencing was not yet settled, which happens under heavy load. FW_RELIABILITY_STRICT=1 fails on it.',
      );
    }
    if (STRICT) expect(result.duplicated).toBe(0);
  }, 600_000);
});
