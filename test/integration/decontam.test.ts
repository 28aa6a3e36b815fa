import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalytics } from '../../services/analytics/service.ts';
import { cliContext } from '../../services/cli/context.ts';
import { evalContaminationWarning } from '../../services/decontam/eval-warning.ts';
import { recheckOpenRound } from '../../services/decontam/recheck.ts';
import { evalSetFromFile, writeSet } from '../../services/decontam/sets.ts';
import { ContaminationFilter, contaminationBySet, readVerdicts } from '../../services/decontam/verdicts.ts';
import { exportFormats, exportRound } from '../../services/export/export.ts';
import { words } from '../../services/lib/minhash.ts';
import { sampleAndPublish } from '../../services/memory/publish.ts';
import type { CptSample, DecontamVerdict, Question } from '../../services/platform/generated/records.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { contentId, recordMeta } from '../../services/platform/records.ts';
import { runPipeline, type PipelineStep } from '../../services/rounds/pipeline.ts';
import { readRound } from '../../services/rounds/read-round.ts';
import { closeRound, openRound } from '../../services/rounds/rounds.ts';
import { qaDocuments, readQaFile } from '../../services/rollout/eval/qa-file.ts';
import { findStage } from '../../services/stages.ts';
import { reworded, verbatimLines } from '../fixtures/contamination.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const run = execChild;
const qaFile = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');
const items = readQaFile(qaFile);
const corpusItems = items.slice(100, 112); // the round's documents: some of the injected questions' own paragraphs
const producer = { service: 'test-injector', version: '1', instance: '' };

/** An injected question, dressed as a synthesized one. */
function injected(text: string, answer: string, n: number): Question {
  return {
    ...recordMeta({ id: contentId('q', 'injected', n), round: 1, producer }),
    question: text, answer, style: 'factual', evidence: [], entity_ids: [], operations: [], difficulty: 1, cluster_id: '', strategy: 'template', llm: null,
  };
}

const injectedQuestions = [
  ...verbatimLines.map((line, n) => injected(items[line].question, items[line].answer, n)),
  ...reworded.map((r, n) => injected(r.question, items[r.line].answer, 100 + n)),
];
const injectedIds = new Set(injectedQuestions.map((q) => q.id));
const normalized = (text: string) => words(text).join(' ');
const countBy = (keys: string[]) => keys.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {});

describe('decontamination: an evaluation set registered, 20 of its questions injected into a round', () => {
  const env = new TestEnv({ ROLLOUT_G: '2', ROLLOUT_CORPUS_WAIT_MS: '15000', HAS_OPTIONS: '2', FLYWHEEL_ROUND: '1' });
  const ctx = cliContext(env.env);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-decontam-'));
  let verdicts: DecontamVerdict[] = [];
  let roundQuestions: Question[] = [];
  let roundCpt: CptSample[] = [];
  const trajectoryQuestion = new Map<string, string>();

  beforeAll(async () => {
    await env.createTopics();
    await writeSet(ctx, 'hotpotqa-dev', evalSetFromFile('hotpotqa-dev', qaFile));
    await openRound(ctx, { model: 'scripted', modelVersion: 'v1', env: env.env });
    await env.produce('fw.docs', qaDocuments(corpusItems, qaFile, 1).docs);
    const steps: PipelineStep[] = ['memory', 'memory-entities', 'fas', 'rollout', 'has', 'cpt-docs', 'decontam'].map((name) => ({ kind: 'stage', stage: findStage(name) }));
    steps.push(
      { kind: 'command', command: { name: 'memory-sample', inputs: ['fw.memory.entities'], outputs: ['fw.memory.clusters'], run: () => sampleAndPublish(ctx, { seed: 1, walks: 24, subtables: 6 }) } },
      { kind: 'command', command: { name: 'inject', inputs: ['fw.docs'], outputs: ['fw.fas.questions'], run: () => env.produce('fw.fas.questions', injectedQuestions) } },
    );
    await runPipeline(steps, { env: env.env, envFor: (s) => (s === 'rollout' ? { STAGE_MAX_BATCH: '4' } : {}), kafka: ctx.kafka, names: ctx.names });
    await closeRound(ctx);
    verdicts = await readVerdicts(ctx);
    roundQuestions = await readRound(1, 'fw.fas.questions', ctx);
    roundCpt = await readRound(1, 'fw.cpt.samples', ctx);
    for (const t of await readRound(1, 'fw.rollout.trajectories', ctx)) trajectoryQuestion.set(t.id, t.question_id);
  }, 600_000);
  afterAll(async () => {
    await env.cleanup();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('catches all 20 injected questions (10 verbatim, 10 reworded), each with its eval item', () => {
    const onQuestions = verdicts.filter((v) => v.subject_topic === 'fw.fas.questions' && injectedIds.has(v.subject_id));
    const caught = new Map(onQuestions.map((v) => [v.subject_id, v]));
    console.table(injectedQuestions.map((q, n) => ({ n, change: n < 10 ? 'verbatim' : reworded[n - 10].change, tier: caught.get(q.id)?.tier, rule: caught.get(q.id)?.rule, coverage: caught.get(q.id)?.coverage.toFixed(2) })));
    expect(caught.size).toBe(20);
    injectedQuestions.forEach((q, n) => {
      const line = n < 10 ? verbatimLines[n] : reworded[n - 10].line;
      expect(caught.get(q.id)?.eval_item_id).toBe(items[line].id);
    });
    const drops = verdicts.filter((v) => v.tier === 'hard');
    expect(drops.length).toBeGreaterThan(0);
  });

  it('no false hit in the rest of the round (counted)', () => {
    // the rest: synthesized questions, their rollouts, and CPT samples not made from an injected question's rollout
    const fromInjected = (parents: string[]) => parents.some((p) => injectedIds.has(trajectoryQuestion.get(p) ?? ''));
    const synthesized = roundQuestions.filter((q) => !injectedIds.has(q.id));
    const restTrajectories = [...trajectoryQuestion.values()].filter((q) => !injectedIds.has(q));
    const restCpt = roundCpt.filter((c) => !fromInjected(c.parent_ids));
    const cptById = new Map(roundCpt.map((c) => [c.id, c]));
    const restHits = verdicts.filter((v) => {
      if (v.subject_topic === 'fw.fas.questions') return !injectedIds.has(v.subject_id);
      if (v.subject_topic === 'fw.rollout.trajectories') return !injectedIds.has(v.question_id);
      return !fromInjected(cptById.get(v.subject_id)?.parent_ids ?? []);
    });
    const cptHits = verdicts.filter((v) => v.subject_topic === 'fw.cpt.samples');
    console.log(
      `rest of the round: ${synthesized.length} synthesized questions, ${restTrajectories.length} trajectories of them, ` +
        `${restCpt.length} CPT samples (${Object.entries(countBy(restCpt.map((c) => c.origin))).map(([o, n]) => `${o} ${n}`).join(', ')}); hits on them: ${restHits.length}. ` +
        `HAS CPT of injected questions' rollouts: ${roundCpt.length - restCpt.length}, of which ${cptHits.length} hit by their own text (the rest blocked by lineage)`,
    );
    expect(synthesized.length).toBeGreaterThan(0);
    expect(restCpt.length).toBeGreaterThan(0);
    expect(restHits).toEqual([]);
  });

  it('none of them reaches an export', async () => {
    const texts: string[] = [];
    let contaminated = 0;
    for (const format of exportFormats) {
      const result = await exportRound(ctx, { round: 1, format, out, mixture: format === 'verl-sft-parquet' ? 'sft-b' : undefined });
      contaminated += result.contaminated;
      for (const f of result.files) {
        if (f.path.endsWith('.parquet')) texts.push(JSON.stringify(await parquetReadObjects({ file: new Uint8Array(fs.readFileSync(f.path)).buffer })));
        else texts.push(fs.readFileSync(f.path, 'utf8'));
      }
    }
    expect(contaminated).toBeGreaterThan(0);
    const exported = normalized(texts.join('\n'));
    expect(exported.length).toBeGreaterThan(0);
    for (const q of injectedQuestions) expect(exported.includes(normalized(q.question)), q.question).toBe(false);

    // the Python training job leaves out the same records
    const python = path.join(projectRoot, 'examples/python/.venv/bin/python');
    if (!fs.existsSync(python)) return console.warn('examples/python/.venv missing: Python reader not checked');
    const pyOut = path.join(out, 'py');
    const { stdout } = await run(python, [path.join(projectRoot, 'examples/python/read_round.py'), '--round', '1', '--out', pyOut], {
      env: { ...process.env, TOPIC_PREFIX: env.prefix, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') },
      timeout: 180_000,
    });
    const summary = JSON.parse(stdout);
    expect(summary.contaminated_skipped).toBeGreaterThan(0);
    const fromPython = normalized(fs.readdirSync(pyOut).map((f) => fs.readFileSync(path.join(pyOut, f), 'utf8')).join('\n'));
    for (const q of injectedQuestions) expect(fromPython.includes(normalized(q.question)), q.question).toBe(false);
  });

  it('registering a set re-checks the open round; a review hit is released through the CLI; eval warns; verdicts land in ClickHouse and the report', async () => {
    await openRound(ctx, { model: 'scripted', modelVersion: 'v2', env: env.env });
    // a verbatim copy (hard) and a short question with its names swapped around: no shared 8-gram, same word set (review)
    const reordered = { ...injectedQuestions[0], id: 'q_round2_reordered', round: 2, question: 'Are Gerry Marsden and Daryl Hall both musicians?' };
    await env.produce('fw.fas.questions', [{ ...injectedQuestions[0], id: 'q_round2_copy', round: 2 }, reordered]);
    // through the CLI, as an operator registers a set mid-round
    const cliEnv = { ...env.env, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') };
    const flywheel = (...args: string[]) => run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), ...args], { env: cliEnv, cwd: projectRoot });
    const added = await flywheel('decontam', 'add', 'hotpotqa-late', qaFile);
    expect(added.stdout).toContain('registered hotpotqa-late: 300 questions');
    expect(added.stdout).toMatch(/re-checked open round 2 \(.*fw\.fas\.questions 2.*\): 1 hard hit\(s\) dropped, 1 for review/);
    const listed = await flywheel('decontam', 'list', '--json');
    expect(listed.stdout.trim().split('\n').map((l) => JSON.parse(l).set)).toEqual(['hotpotqa-dev', 'hotpotqa-late']);
    const again = await recheckOpenRound(ctx, evalSetFromFile('hotpotqa-late', qaFile)); // same ids: counted once downstream
    expect(again).toMatchObject({ round: 2, hard: 1, review: 1 });

    await expect(flywheel('decontam', 'release', 'q_round2_copy')).rejects.toMatchObject({ stderr: expect.stringContaining('hard hits are dropped, not released') });
    expect((await ContaminationFilter.load(ctx)).blocks(reordered)).toBe(true);
    const released = await flywheel('decontam', 'release', reordered.id, '--set', 'hotpotqa-late');
    expect(released.stdout).toContain(`released ${reordered.id} (hotpotqa-late, minhash on question`);
    const filter = await ContaminationFilter.load(ctx);
    expect(filter.blocks(reordered)).toBe(false);
    expect(filter.blocks({ id: 'q_round2_copy' })).toBe(true);
    expect(await recheckOpenRound(ctx, evalSetFromFile('hotpotqa-late', qaFile))).toMatchObject({ hard: 1, review: 0 }); // the release stands
    await closeRound(ctx);
    expect(contaminationBySet(await readVerdicts(ctx), 2)).toEqual([{ set: 'hotpotqa-late', hard: 1, review: 0, released: 1, questions: 2, trajectories: 0, cpt: 0 }]);
    expect(await evalContaminationWarning(ctx, qaFile)).toMatch(/registered evaluation set "hotpotqa-(dev|late)".*round 1: \d+ hard/);

    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-decontam-ch-'));
    const sinkEnv = { ...env.env, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(','), FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'decontam', ANALYTICS_FLUSH_MS: '150', ANALYTICS_LAG_EVERY_MS: '0' };
    const analytics = await startAnalytics({ env: sinkEnv });
    try {
      // the view reads the verdicts table only; a client lets the drain tell transaction markers from records
      await ctx.kafka.waitForDrain([{ groupId: analytics.groupId, topics: [env.topic('fw.decontam.verdicts')] }], { timeoutMs: 300_000 });
      const query = 'SELECT round, set_name, toInt32(hard) AS hard, toInt32(questions) AS questions FROM decontam.contamination_by_set ORDER BY round, set_name';
      const rows = await (await analytics.client.query({ query, format: 'JSONEachRow' })).json();
      const expected = contaminationBySet(await readVerdicts(ctx), 1);
      expect(rows).toContainEqual({ round: 1, set_name: 'hotpotqa-dev', hard: expected[0].hard, questions: expected[0].questions });
      expect(rows).toContainEqual({ round: 2, set_name: 'hotpotqa-late', hard: 1, questions: 2 });
      // flywheel report, as an analyst runs it while the sink serves queries
      const report = await run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'report', '--round', '1', '--svg', path.join(home, 'f.svg')], { env: sinkEnv, cwd: projectRoot });
      expect(report.stdout).toMatch(/contamination per evaluation set[\s\S]*hotpotqa-dev/);
    } finally {
      await analytics.stop();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 600_000);
});
