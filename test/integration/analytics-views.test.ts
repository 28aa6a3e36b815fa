import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointQuerier, openQuerier } from '../../services/analytics/querier.ts';
import { ReadOnlyViolationError } from '../../services/analytics/query.ts';
import { startAnalytics, type RunningAnalytics } from '../../services/analytics/service.ts';
import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';
import { knownRound } from './analytics-round.ts';

const run = execChild;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-views-'));
const ROUND = 4;
const { records, expected } = knownRound(ROUND);
let env: TestEnv;
let running: RunningAnalytics;
let sinkEnv: NodeJS.ProcessEnv;

async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  const result = await running.client.query({ query: sql, format: 'JSONEachRow' });
  return result.json();
}

/** The `flywheel` CLI in a child process, as an analyst runs it. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), ...args], { env: sinkEnv, cwd: projectRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  env = new TestEnv();
  await env.createTopics();
  for (const [topic, values] of Object.entries(records) as Array<[TopicName, Array<TopicValues[TopicName]>]>) await env.produce(topic, values as never);
  sinkEnv = {
    ...env.env, FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'views', ANALYTICS_FLUSH_MS: '150', ANALYTICS_LAG_EVERY_MS: '0',
    ANALYTICS_MODEL_PRICES: JSON.stringify(expected.prices), LOG_LEVEL: 'warn',
  };
  running = await startAnalytics({ env: sinkEnv });
  await env.drain([{ groupId: running.groupId, inputs: running.inputs }]);
});

afterAll(async () => {
  await running?.stop();
  await env?.cleanup();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('analytics views on a known round', () => {
  it('funnel: docs in → kept → facts → entities → questions per style → rollouts → accepted → SFT / RL / discarded → CPT', async () => {
    const funnel = await rows(`SELECT step, breakdown, records FROM views.funnel WHERE round = ${ROUND} ORDER BY step_order, breakdown`);
    expect(funnel.map((r) => [r.step, r.breakdown, r.records])).toEqual(expected.funnel);
  });

  it('drop reasons per stage', async () => {
    expect(await rows(`SELECT stage, reason, drops FROM views.drop_reasons WHERE round = ${ROUND}`)).toEqual(expected.dropReasons);
  });

  it('acceptance rate and pass@k per question style and difficulty operation', async () => {
    expect(await rows(`SELECT style, questions, rollouts, accepted, acceptance_rate, pass_at_1, pass_at_g FROM views.acceptance_by_style WHERE round = ${ROUND}`)).toEqual(expected.byStyle);
    expect(await rows(`SELECT operation, difficulty, questions, accepted, acceptance_rate FROM views.acceptance_by_operation WHERE round = ${ROUND}`)).toEqual(expected.byOperation);
    const passAt2 = await rows(`SELECT style, round(avg(pass_at_k), 4) AS p FROM views.pass_at_k(k = 2) WHERE round = ${ROUND} AND operation IN ('none', 'blur_number', 'describe_entity') GROUP BY style ORDER BY style`);
    expect(Object.fromEntries(passAt2.map((r) => [r.style, r.p]))).toEqual(expected.passAt2);
  });

  it('data quality: answerability, question quality and drops, process checks of correct rollouts', async () => {
    expect(await rows(`SELECT style, strategy, questions, too_easy, useful, unanswerable, share_answerable, share_too_easy FROM views.answerability WHERE round = ${ROUND}`)).toEqual(expected.answerability);
    expect(await rows(`SELECT * EXCEPT (round) FROM views.question_quality WHERE round = ${ROUND}`)).toEqual(expected.questionQuality);
    expect(await rows(`SELECT stage, reason, questions FROM views.question_drops WHERE round = ${ROUND}`)).toEqual(expected.questionDrops);
    expect(await rows(`SELECT style, label, correct_rollouts, kept_for_sft FROM views.sft_process_checks WHERE round = ${ROUND}`)).toEqual(expected.processChecks);
  });

  it('tokens and $ cost per model and per accepted sample, with configured prices', async () => {
    expect(await rows(`SELECT model, input_tokens, output_tokens, cost_usd, priced FROM views.cost_by_model WHERE round = ${ROUND}`)).toEqual(expected.costByModel);
    expect(await rows(`SELECT tokens, cost_usd, accepted, tokens_per_accepted, usd_per_accepted FROM views.cost_per_accepted WHERE round = ${ROUND}`)).toEqual([expected.costPerAccepted]);
  });

  it('DLQ counts', async () => {
    expect(await rows('SELECT stage, error_code, dead_letters FROM views.dlq_counts')).toEqual(expected.dlq);
  });

  it('lineage of a record back to its source documents', async () => {
    const lineage = await rows(`SELECT id, depth FROM views.lineage(id = '${expected.lineageOf}')`);
    expect(lineage.map((r) => [r.id, r.depth])).toEqual(expected.lineage);
    const sources = await rows(`SELECT doc_id FROM views.lineage_sources(id = '${expected.lineageOf}')`);
    expect(sources.map((r) => r.doc_id)).toEqual(expected.sources);
  });

  it('trajectory steps unrolled, and the latest version of every entity', async () => {
    const steps = await rows(`SELECT tool, count() AS n FROM views.trajectory_steps WHERE round = ${ROUND} AND kafka_topic = 'fw.rollout.trajectories' GROUP BY tool ORDER BY tool NULLS LAST`);
    expect(steps).toEqual([{ tool: 'search', n: 6 }, { tool: null, n: 6 }]); // 6 rollouts × (one search step + one answer step)
    expect(await rows('SELECT entity_id, version FROM views.entities_latest')).toEqual([{ entity_id: 'ed_wood', version: 2 }, { entity_id: 'plan_9', version: 1 }]);
  });

  it('consumer lag per group from admin-API snapshots', async () => {
    expect(await running.snapshotLag()).toBeGreaterThan(0);
    const lag = await rows(`SELECT group_id, lag, partitions FROM views.consumer_lag_by_group WHERE group_id = '${running.groupId}'`);
    expect(lag).toHaveLength(1);
    expect(lag[0].lag).toBe(0); // drained
    expect(Number(lag[0].partitions)).toBeGreaterThan(10);
  });
});

describe('flywheel sql and report', () => {
  it('refuses writes, in process and through the CLI, and the table survives', async () => {
    const querier = endpointQuerier(`http://127.0.0.1:${running.httpPort}`, 'views');
    for (const sql of ['DROP TABLE views.documents', "INSERT INTO views.documents (id) VALUES ('x')", 'SELECT 1; DROP TABLE views.documents', 'ALTER TABLE views.documents DELETE WHERE 1', 'SET readonly = 0', 'OPTIMIZE TABLE views.documents FINAL']) {
      await expect(querier.query(sql), sql).rejects.toBeInstanceOf(ReadOnlyViolationError);
    }
    // the endpoint refuses on its own too (a client that skips the local check)
    const response = await fetch(`http://127.0.0.1:${running.httpPort}/query`, { method: 'POST', body: JSON.stringify({ sql: 'TRUNCATE TABLE views.documents' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'READ_ONLY' });

    const refused = await cli(['sql', 'DROP TABLE views.documents']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/read-only/);
    expect(await rows('SELECT count() AS n FROM views.documents FINAL')).toEqual([{ n: 2 }]);
  });

  it('answers through the running sink (which owns the embedded folder) in table, CSV and JSON', async () => {
    const csv = await cli(['sql', 'SELECT id, title FROM documents FINAL ORDER BY id', '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.trim().split('\n')).toEqual(['id,title', 'doc_1,Ed Wood', 'doc_2,Plan 9']);
    expect(csv.stderr).toMatch(/via analytics service/);
    const json = await cli(['sql', `SELECT step, records FROM funnel WHERE round = ${ROUND} AND step = 'rollouts'`, '--format', 'json']);
    expect(json.stdout.trim()).toBe('{"step":"rollouts","records":6}');
    const table = await cli(['sql', 'SELECT count() AS docs FROM documents FINAL']);
    expect(table.stdout).toMatch(/docs\n─+\n\s*2/);
  });

  it('report prints the funnel and writes an SVG chart', async () => {
    const svg = path.join(home, 'round.svg');
    const report = await cli(['report', '--round', String(ROUND), '--svg', svg]);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/rollouts\s+6/);
    expect(report.stdout).toMatch(/accepted\s+3\s+50\.0%/);
    expect(report.stdout).toMatch(/per accepted sample \$0\.004333/);
    expect(report.stdout).toMatch(/acceptance per question style[\s\S]*numeric\s+1\s+2\s+2\s+1\s+1\s+1/);
    expect(report.stdout).toMatch(/drops per stage and reason[\s\S]*rollout\s+no_answer\s+2/);
    expect(report.stdout).toContain(`round ${ROUND} — data quality`);
    expect(report.stdout).toContain('questions made 4: dropped before rollout 1, published 3, rolled out 3; answerable 2 (66.7%), of which too easy for RL 1 (33.3%), unanswerable 1 (33.3%); with an SFT trajectory 2');
    expect(report.stdout).toMatch(/factual\s+template\s+2\s+2\s+1\s+0\s+1\s+1\s+50\.0%\s+0\.0%/);
    expect(report.stdout).toMatch(/questions dropped, by reason[\s\S]*rollout\s+no_answer\s+2[\s\S]*fas\s+answer_in_question\s+1/);
    expect(report.stdout).toMatch(/process check of correct rollouts[\s\S]*grounded\s+2\s+2[\s\S]*operand_unsupported\s+1\s+0/);
    const chart = fs.readFileSync(svg, 'utf8');
    expect(chart).toMatch(/^<svg/);
    expect(chart).toContain('<title>questions factual: 2</title>');
  });

  it('opens the folder directly once the sink is stopped', async () => {
    await running.stop();
    const querier = await openQuerier({ FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'views' });
    try {
      expect(querier.via).toMatch(/^embedded/);
      const result = await querier.query('SELECT count() AS n FROM funnel');
      expect(Number(result.rows[0].n)).toBe(expected.funnel.length);
      await expect(querier.query('DROP TABLE funnel')).rejects.toBeInstanceOf(ReadOnlyViolationError);
    } finally {
      await querier.close();
    }
  });
});
