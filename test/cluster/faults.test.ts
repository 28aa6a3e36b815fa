import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic } from '../../services/platform/kafka/tail.ts';
import { TestEnv } from '../support.ts';
import { cptIdOf, makeDocs } from '../reliability/docs.ts';
import { evictMembers, printReport, sleep, StageProcess, tally, type ReportRow } from '../reliability/harness.ts';
import { busiestLeader, FaultCluster, feed, Supervisor, untilLeadershipLeaves } from './fault-cluster.ts';
import { OperatorView, scrapeCounter } from './operator.ts';

/**
 * What operators do to a running flywheel, on a private three-broker cluster (topics at replication 3,
 * min.insync.replicas 2): the leader of most of a stage's input partitions killed with SIGKILL, a rolling restart of
 * every broker, the stage's consumer group scaled 1 → 4 → 2 → 1, and one broker cut off by a network partition.
 * Each run is strict (read_committed output: every input's output exactly once) and watched as an operator would:
 * /readyz must say "not ready" while a broker is unreachable or the group rebalances, and the group's lag must rise
 * during the fault and drain to zero after it.
 */
const rows: ReportRow[] = [];
const seen: string[] = [];
const fc = new FaultCluster();
const envOf = () => new TestEnv({ KAFKA_BROKERS: fc.bootstrap, TOPIC_REPLICATION_FACTOR: '3', STAGE_MAX_BATCH: '50' }, { quiet: true });

/**
 * Strict tally of one scenario against the input topic as it is (a feeder batch that failed mid-fault may be in it
 * in part). Input duplicates, or an acknowledged input missing, would be the test producer's doing: they fail first.
 */
async function check(env: TestEnv, fault: string, injected: number, acknowledged: Array<{ id: string }>) {
  const inputIds = (await env.read('fw.docs')).map((d) => d.id);
  expect(inputIds.length - new Set(inputIds).size, 'duplicate records in the input topic').toBe(0);
  const inTopic = new Set(inputIds);
  expect(acknowledged.filter((d) => !inTopic.has(d.id)).map((d) => d.id), 'acknowledged inputs missing from the input topic').toEqual([]);
  const produced = inputIds.map((id) => ({ id }));
  const output = await env.read('fw.cpt.samples');
  const result = tally(produced.map(cptIdOf), output.map((s) => s.id));
  rows.push({ fault, injected, ...result });
  if (result.lost || result.duplicated) console.warn(`${fault} (topics ${env.prefix}*):\n${await explain(env, produced, result.missing)}`);
  expect(result.missing).toEqual([]);
  expect(result.duplicated).toBe(0);
  expect(result.recordsOut).toBe(produced.length);
}

function operatorLine(fault: string, view: OperatorView, extra: string): void {
  seen.push(
    `${fault}: /readyz "not ready" in ${view.notReady('fault', 'healed')} of ${view.ready.length} samples during the fault; group lag peak ${view.peakLag('fault', 'healed')} during it, ${view.lag.at(-1)?.lag ?? '?'} at the end; the stages' flywheel_consumer_lag peak ${view.peakStageLag('fault', 'healed')}, ${view.stageLag.at(-1)?.lag ?? '?'} at the end; ${extra}`,
  );
}

function reasons(stages: StageProcess[]): Set<string> {
  return new Set(stages.flatMap((s) => s.logged((l) => l.msg === 'readiness changed' && l.ready === false).map((l) => String(l.reason))));
}

describe('cluster faults (three brokers)', () => {
  beforeAll(async () => {
    await fc.up();
  }, 360_000);

  afterAll(async () => {
    printReport('cluster faults (three brokers, strict)', rows);
    console.log(['\nwhat the operator saw', ...seen].join('\n'));
    if (process.env.FW_CLUSTER_KEEP) console.log(`cluster kept (FW_CLUSTER_KEEP): KAFKA_BROKERS=${fc.bootstrap}, data in ${fc.home}`);
    else await fc.close();
  }, 120_000);

  /** One stage under a supervisor, watched, with input arriving; `fault` runs between the marks. */
  async function supervisedRun(name: string, fault: (env: TestEnv) => Promise<number>) {
    const env = envOf();
    await env.createTopics();
    const groupId = `${env.prefix}fw.cpt-docs`;
    const view = new OperatorView(env, groupId, 'fw.docs');
    const started: StageProcess[] = [];
    const produced = makeDocs(name, 0, 600);
    await env.produce('fw.docs', produced);
    const supervisor = new Supervisor('cpt-docs', env.env, (stage) => {
      started.push(stage);
      void view.watch(stage).catch(() => undefined);
    });
    await supervisor.stage.joined(240_000);
    await view.start();
    const feeder = feed(env, produced, name);
    let injected = 0;
    let readyAtEnd = false;
    try {
      await sleep(2000);
      view.mark('fault');
      injected = await fault(env);
      view.mark('healed');
      await feeder.stop();
      await env.drain([{ groupId, inputs: ['fw.docs'] }], 300_000);
      // once drained, every stage process must say "ready" again. A broker-unreachable hold or a rejoin may still be
      // ending: a request the client sent to a broker as it went down may fail only at its 30 s request timeout, and
      // holds "not ready" 5 s more (one CI run in six of the rolling restart was still not ready 30 s after the drain)
      for (let i = 0; i < 120 && !readyAtEnd; i++) {
        await sleep(500);
        readyAtEnd = view.readyAtEnd();
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}; stage alive: ${supervisor.stage.alive}; its last warnings:\n${supervisor.stage.trouble()}`);
    } finally {
      await feeder.stop();
      await view.stop();
      await supervisor.stop();
    }
    dumpLogs(env, started);
    const readiness = started.flatMap((s) => s.logged((l) => l.msg === 'readiness changed').slice(-4).map((l) => `${s.child.pid} ${l.time} ${l.ready ? 'ready' : l.reason} ${l.broker ?? ''}`));
    return { env, view, started, produced, injected, readyAtEnd, readiness: readiness.join('\n'), exits: supervisor.exits, feedFailures: feeder.failed };
  }

  it('SIGKILL of the broker leading most of the input partitions, mid-run', async () => {
    let killed = { nodeId: 0, partitions: 0, of: 0 };
    const run = await supervisedRun('leaderkill', async (env) => {
      killed = await busiestLeader(env.kafka, env.topic('fw.docs'));
      fc.cluster.node(killed.nodeId).signal('SIGKILL');
      await untilLeadershipLeaves(env.kafka, env.topic('fw.docs'), killed.nodeId);
      await sleep(3000);
      await fc.cluster.node(killed.nodeId).up(240_000);
      await fc.cluster.waitInSync(240_000);
      return 1;
    });
    const why = reasons(run.started);
    operatorLine(`leader SIGKILL (node ${killed.nodeId}, ${killed.partitions}/${killed.of} partitions)`, run.view, `not-ready reasons logged: ${[...why].join(', ') || 'none'}; stage exits: ${run.exits.length}; input batches whose send failed: ${run.feedFailures}`);
    await check(run.env, `SIGKILL broker leading ${killed.partitions}/${killed.of} input partitions`, run.injected, run.produced);
    expect(run.view.notReady('fault', 'healed'), '/readyz said "not ready" while the leader was unreachable').toBeGreaterThan(0);
    expect(why.has('broker-unreachable') || why.has('restarting') || why.has('rebalancing')).toBe(true);
    expect(run.view.peakLag('fault', 'healed')).toBeGreaterThan(0);
    expect(await lagAfter(run.view)).toBe(0);
    expect(run.readyAtEnd, `every stage process ready once the run drained; its last readiness changes:\n${run.readiness}`).toBe(true);
    await run.env.cleanup();
  }, 900_000);

  it('rolling restart of all three brokers, one at a time, while the stage runs', async () => {
    const run = await supervisedRun('rolling', async () => {
      for (const node of fc.cluster.nodes.keys()) {
        await fc.cluster.restart(node + 1, 240_000); // clean stop, start, wait until every replica is in sync again
        await sleep(1000);
      }
      return fc.cluster.nodes.length;
    });
    operatorLine('rolling restart', run.view, `not-ready reasons logged: ${[...reasons(run.started)].join(', ') || 'none'}; stage exits: ${run.exits.length}; input batches whose send failed: ${run.feedFailures}`);
    await check(run.env, 'rolling restart of 3 brokers', run.injected, run.produced);
    expect(run.view.peakLag('fault', 'healed')).toBeGreaterThan(0);
    expect(await lagAfter(run.view)).toBe(0);
    expect(run.readyAtEnd, `every stage process ready once the run drained; its last readiness changes:\n${run.readiness}`).toBe(true);
    await run.env.cleanup();
  }, 1_200_000);

  it('the consumer group scaled 1 → 4 → 2 → 1 while records flow (SIGTERM, one SIGKILL)', async () => {
    const env = envOf();
    await env.createTopics();
    const groupId = `${env.prefix}fw.cpt-docs`;
    const view = new OperatorView(env, groupId, 'fw.docs');
    const produced = makeDocs('scale', 0, 600);
    await env.produce('fw.docs', produced);
    const start = async () => {
      const stage = new StageProcess('cpt-docs', env.env);
      await view.watch(stage);
      await stage.joined(240_000);
      return stage;
    };
    const first = await start();
    await view.start();
    const feeder = feed(env, produced, 'scale');
    const all = [first];
    const exits: string[] = [];
    let changes = 0;
    try {
      view.mark('fault');
      const added = await Promise.all([start(), start(), start()]); // 1 → 4, as KEDA adds replicas at once
      all.push(...added);
      changes += 3;
      await sleep(4000);
      const [second, third, fourth] = added;
      await fourth.kill('SIGTERM'); // 4 → 3
      exits.push(`SIGTERM: ${(await fourth.exited).code}`);
      await third.kill('SIGKILL'); // 3 → 2: a node lost with its pod
      await evictMembers(env.kafka, groupId, new Set([first.memberId!, second.memberId!]));
      changes += 2;
      await sleep(4000);
      await second.kill('SIGTERM'); // 2 → 1
      exits.push(`SIGTERM: ${(await second.exited).code}`);
      changes += 1;
      await sleep(3000);
      view.mark('healed');
      await feeder.stop();
      await env.drain([{ groupId, inputs: ['fw.docs'] }], 300_000);
      await sleep(1500);
    } catch (error) {
      throw new Error(`${(error as Error).message}; first member alive: ${first.alive}; its last warnings:\n${first.trouble()}`);
    } finally {
      await feeder.stop();
      await view.stop();
    }
    const rebalances = first.alive ? await scrapeCounter(view.portOf(first), 'flywheel_unready_total', 'reason="rebalancing"') : 0;
    await Promise.all(all.map((s) => s.kill('SIGTERM')));
    dumpLogs(env, all);
    operatorLine('scale 1 → 4 → 2 → 1', view, `first member's flywheel_unready_total{reason="rebalancing"} = ${rebalances}; not-ready reasons logged: ${[...reasons(all)].join(', ')}; SIGTERM exit codes ${exits.join(', ')}`);
    await check(env, 'consumers scaled 1 → 4 → 2 → 1', changes, produced);
    expect(exits).toEqual(['SIGTERM: 0', 'SIGTERM: 0']);
    expect(rebalances, 'the member that stayed counted its rebalances as not ready').toBeGreaterThan(0);
    expect(view.peakLag('fault', 'healed')).toBeGreaterThan(0);
    expect(await lagAfter(view)).toBe(0);
    await env.cleanup();
  }, 900_000);

  it('network partition: one broker cut off from the others and from every client', async (ctx) => {
    if (!fc.link) {
      seen.push(`network partition: not run: ${fc.noPartition}`);
      ctx.skip();
      return;
    }
    const link = fc.link;
    const run = await supervisedRun('partition', async (env) => {
      link.partition();
      try {
        await untilLeadershipLeaves(env.kafka, env.topic('fw.docs'), fc.isolatable);
        // the stage's requests to the cut-off broker hang rather than fail: they time out after 30 s (requestTimeout)
        await sleep(35_000);
      } finally {
        link.heal();
      }
      await fc.cluster.waitForBrokers(3, 240_000);
      await fc.cluster.waitInSync(240_000);
      return 1;
    });
    const why = reasons(run.started);
    operatorLine(`network partition of node ${fc.isolatable}`, run.view, `not-ready reasons logged: ${[...why].join(', ') || 'none'}; stage exits: ${run.exits.length}; input batches whose send failed: ${run.feedFailures}`);
    await check(run.env, `network partition of broker ${fc.isolatable}`, run.injected, run.produced);
    // Not asserted: /readyz. The cut-off broker refuses nothing, so a stage only learns of it when a request to it
    // times out (30 s), and whether one does within the partition varies run to run (40 and 0 "not ready" samples
    // in two runs). What tells the truth here is the group's lag as the broker reports it, asserted below.
    expect(run.view.peakLag('fault', 'healed')).toBeGreaterThan(0);
    expect(await lagAfter(run.view)).toBe(0);
    expect(run.readyAtEnd, `every stage process ready once the run drained; its last readiness changes:\n${run.readiness}`).toBe(true);
    await run.env.cleanup();
  }, 900_000);
});

/** The group's lag once the run drained, as the broker reports it. */
async function lagAfter(view: OperatorView): Promise<number> {
  return view.lag.at(-1)?.lag ?? -1;
}

/** For a failure message: where each duplicate sits (partition, offset, time made) and whether each lost input is in its topic. */
async function explain(env: TestEnv, produced: Array<{ id: string }>, missing: string[]): Promise<string> {
  const records = await readTopic(env.kafka, env.topic('fw.cpt.samples'));
  const byKey = new Map<string, string[]>();
  for (const r of records) byKey.set(String(r.key), [...(byKey.get(String(r.key)) ?? []), `p${r.partition}@${r.offset}`]);
  const dups = [...byKey].filter(([, at]) => at.length > 1).slice(0, 12).map(([key, at]) => `  duplicate ${key}: ${at.join(', ')}`);
  const inputs = new Map((await readTopic(env.kafka, env.topic('fw.docs'))).map((r) => [cptIdOf({ id: String(r.key) }), `p${r.partition}@${r.offset}`]));
  const lost = missing.map((id) => `  lost ${id}: input ${inputs.get(id) ?? 'NOT in fw.docs'} (of ${produced.length} produced)`);
  return [...dups, ...lost].join('\n');
}

/** With FW_CLUSTER_LOGS=dir: every stage process's log lines, one file per scenario, for a failure's post-mortem. */
function dumpLogs(env: TestEnv, stages: StageProcess[]): void {
  const dir = process.env.FW_CLUSTER_LOGS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const lines = stages.flatMap((s) => s.logged(() => true).map((l) => JSON.stringify({ proc: s.child.pid, ...l })));
  fs.writeFileSync(`${dir}/${env.prefix}jsonl`, `${lines.join('\n')}\n`);
}
