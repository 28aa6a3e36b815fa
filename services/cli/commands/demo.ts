import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { qualityFromRecords, renderQualityReport } from '../../analytics/quality.ts';
import { exportFormats, exportRound } from '../../export/export.ts';
import { contaminationBySet, readVerdicts } from '../../decontam/verdicts.ts';
import { ingestPaths } from '../../ingest/ingest-paths.ts';
import { sampleAndPublish } from '../../memory/publish.ts';
import type { Document, Question, TopicName } from '../../platform/generated/records.ts';
import { projectRoot } from '../../platform/paths.ts';
import { contentId, recordMeta, sha256 } from '../../platform/records.ts';
import { runPipeline, type PipelineOptions, type PipelineStep, type StageRun } from '../../rounds/pipeline.ts';
import { runPipelined } from '../../rounds/pipelined.ts';
import { readRoundRecords, type RoundRecord } from '../../rounds/read-round.ts';
import { closeRound, openRound } from '../../rounds/rounds.ts';
import { accuracy, formatTable, stageCounts } from '../../rounds/summary.ts';
import { stageConfigVariables, stages } from '../../stages.ts';
import { cliContext, type CliContext } from '../context.ts';
import { describeLlmPlan, policyModel, stageModels } from '../llm-plan.ts';
import { progressLine } from '../progress.ts';
import { upLocalLlmIfSelected } from './llm.ts';
import { localKafka } from './stack.ts';

const bundledQa = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');
const producer = { service: 'demo', version: '2.0.0', instance: '' };

interface QaItem {
  id: string;
  question: string;
  answer: string;
  type?: string;
  paragraphs: Array<{ title: string; text: string }>;
}

interface DemoOptions {
  limit: string;
  rounds: string;
  prefix?: string;
  out?: string;
  skip?: string;
  deleteTopics?: boolean;
  levels?: boolean;
}

/**
 * `flywheel demo`: the whole flywheel on the bundled HotpotQA slice, in-process, for two rounds. Each round
 * opens a manifest (round 2 with a new model version), recycles what earlier rounds discarded, ingests its
 * own slice of questions' paragraphs, runs every registered stage in dependency order until drained, closes
 * the round, and prints counts per stage, the acceptance rate and the agent's EM/F1 on the round's questions.
 * Each run works under its own topic prefix, so it never mixes with other data on the broker.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the flywheel end to end on the bundled data for two rounds and print a summary')
    .option('--limit <n>', 'bundled questions per round (their paragraphs are the corpus)', '6')
    .option('--rounds <n>', 'rounds to run', '2')
    .option('--prefix <prefix>', 'topic prefix of this run (default: demo-<time>.)')
    .option('--out <dir>', 'folder for the exports of every round (default: $FLYWHEEL_HOME/demo/<prefix>)')
    .option('--skip <stages>', 'comma-separated stages not to run')
    .option('--delete-topics', "delete this run's topics at the end (the exports stay)")
    .option('--levels', 'run the stages level by level, each level drained before the next starts (the slower pre-pipelining order)')
    .action(async (options: DemoOptions) => {
      if (!process.env.KAFKA_BROKERS) await localKafka().up();
      // FLYWHEEL_LLM=local: the embedded model's endpoint, started in the background like `stack up` does
      await upLocalLlmIfSelected();
      // an empty prefix would mix the demo with (and let --delete-topics remove) everything else on the broker
      const prefix = options.prefix || process.env.TOPIC_PREFIX || `demo-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.`;
      const env: NodeJS.ProcessEnv = {
        // documents are drained before the rollout starts, so its corpus loads in seconds; a short bound keeps a
        // partition that ends in several transaction markers from holding the start-up for the full default wait
        ROLLOUT_CORPUS_WAIT_MS: '15000',
        ...process.env,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        HTTP_PORT: '0',
      };
      const ctx = cliContext(env);
      const out = options.out ?? path.join(ctx.config.FLYWHEEL_HOME, 'demo', prefix.replace(/\.$/, ''));
      const limit = positive(options.limit, '--limit');
      const rounds = positive(options.rounds, '--rounds');
      const skip = new Set((options.skip ?? '').split(',').map((s) => s.trim()).filter(Boolean));
      const started = Date.now();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      console.log(`flywheel demo: ${rounds} round(s) × ${limit} bundled questions, topics under "${prefix}"`);
      console.log(`stages: ${stages.filter((s) => !skip.has(s.name)).map((s) => s.name).join(', ')}`);
      console.log(`models:\n${describeLlmPlan(env, stages.filter((s) => !skip.has(s.name)))}\n`);

      const items = fs.readFileSync(bundledQa, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as QaItem);
      for (let round = 1; round <= rounds; round++) {
        const slice = items.slice((round - 1) * limit, round * limit);
        await runRound(ctx, env, round, slice, skip, options.levels ? runPipeline : runPipelined);
      }
      await exportAll(ctx, rounds, out);
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      if (options.deleteTopics && prefix) {
        await ctx.kafka.deleteTopicsWithPrefix(prefix);
        console.log(`\ndone in ${seconds} s; topics under "${prefix}" deleted.`);
      } else {
        console.log(`\ndone in ${seconds} s. Inspect: TOPIC_PREFIX=${prefix} npm run flywheel -- round list`);
      }
    });
}

type Runner = (steps: PipelineStep[], options: PipelineOptions) => Promise<StageRun[]>;

/**
 * Where a pipelined round must wait to write what the level-by-level one writes: stages that tail a topic (ctx.follow)
 * besides their inputs see it as it is when they start, as they would one level later. The rollout's search corpus
 * is the whole of fw.docs; memory tails the entities (resolving mentions to known ones), which memory-entities
 * writes only after memory is through; fas tails fw.fas.questions (its near-duplicate index), which holds the
 * bundled questions first. Memory's mention resolution also learns from the names it has extracted so far, so
 * its output depends on the order documents reach it: it starts on the complete fw.docs, as one level later.
 */
const pipelinedGates: Record<string, { waitFor?: string[]; after?: string[] }> = {
  rollout: { waitFor: ['fw.docs'] },
  memory: { waitFor: ['fw.docs'] },
  'memory-entities': { after: ['memory'] },
  fas: { after: ['bundled-questions'] },
};

async function runRound(ctx: CliContext, baseEnv: NodeJS.ProcessEnv, round: number, items: QaItem[], skip: Set<string>, run: Runner): Promise<void> {
  // the manifest names the policy the rollouts actually use (the embedded model too), not only an LLM_MODEL
  const { model, endpoint } = policyModel(baseEnv, stages);
  const manifest = await openRound(ctx, { model, modelVersion: `v${round}`, endpoint, stageModels: stageModels(baseEnv, stages), env: baseEnv, configVariables: stageConfigVariables() });
  console.log(`━━ round ${manifest.round} (model ${model} ${manifest.model_version}, ${items.length} bundled question${items.length === 1 ? '' : 's'})`);
  const env = { ...baseEnv, FLYWHEEL_ROUND: String(round), ROLLOUT_MODEL_VERSION: manifest.model_version };
  const roundCtx = { ...ctx, config: { ...ctx.config, FLYWHEEL_ROUND: round } };
  const runs: StageRun[] = [];
  const tty = process.stderr.isTTY;
  const lagLine = progressLine(process.stderr, 10_000);
  const pipelineOptions: PipelineOptions = {
    env,
    // a question's G trajectories and tool calls go out in one transaction: keep rollout batches small
    envFor: (stage: string): NodeJS.ProcessEnv =>
      stage === 'rollout' && !baseEnv.STAGE_MAX_BATCH ? { STAGE_MAX_BATCH: String(Math.max(1, Math.floor(16 / Number(baseEnv.ROLLOUT_G ?? 4)))) } : {},
    kafka: ctx.kafka,
    names: ctx.names,
    onLevel: (level: number, names: string[]) =>
      process.stderr.write(`${tty ? '\r' : ''}  ${run === runPipeline ? `level ${level}` : `+${level} s`}: ${names.join(', ')}${tty ? ' '.repeat(20) : ''}\n`),
    onLag: (lag: number) => lagLine.update(`  offsets to go ${lag}`),
    quietMs: 1500,
    stopInBackground: true,
  };

  // recycling first: what earlier rounds discarded becomes this round's CPT (drained before this round's rollouts
  // discard anything, so it never recycles its own round); the round's documents go in meanwhile
  const recycle = stages.find((s) => s.name === 'recycle');
  const recycling = recycle && round > 1 && !skip.has('recycle') ? run([{ kind: 'stage', stage: recycle }], pipelineOptions) : Promise.resolve([]);
  const [recycled] = await Promise.all([recycling, produceDocuments(roundCtx, round, items)]);
  runs.push(...recycled);
  const questions = items.map((item) => bundledQuestion(item, round));
  const questionIds = new Set(questions.map((q) => q.id));
  const steps: PipelineStep[] = stages.filter((s) => s.name !== 'recycle' && !skip.has(s.name)).map((stage) => ({ kind: 'stage', stage, ...pipelinedGates[stage.name] }));
  // the agent searches the corpus, so the bundled questions go in once the documents are through
  steps.push({
    kind: 'command',
    command: { name: 'bundled-questions', inputs: ['fw.docs'], outputs: ['fw.fas.questions'], run: async () => (await send(roundCtx, 'fw.fas.questions', 'fw.Question', questions), { questions: questions.length }) },
  });
  if (steps.some((s) => s.kind === 'stage' && s.stage.outputs.includes('fw.memory.entities'))) {
    steps.push({
      kind: 'command',
      command: { name: 'memory-sample', inputs: ['fw.memory.entities'], outputs: ['fw.memory.clusters'], run: () => sampleAndPublish(roundCtx, clusterBudget(round, items.length)) },
    });
  }
  const roundStarted = Date.now();
  runs.push(...(await run(steps, pipelineOptions)));
  lagLine.end();
  const closed = await closeRound(ctx);
  const stopped = Promise.all(runs.map((r) => r.running?.stop()));

  const rows: Array<Record<string, string | number>> = [];
  for (const step of runs) {
    const started: Record<string, number> = step.startedAt === undefined ? {} : { 'started s': step.startedAt };
    if (!step.running) {
      rows.push({ stage: step.name, in: 0, out: summariseResult(step.result), dropped: 0, dlq: 0, ...started, seconds: step.seconds });
      continue;
    }
    const c = await stageCounts(step.running);
    rows.push({ stage: step.name, in: c.in, out: Object.entries(c.out).map(([t, n]) => `${t.replace(/^fw\./, '')} ${n}`).join(', ') || '-', dropped: c.dropped, dlq: c.deadLettered, ...started, seconds: step.seconds });
  }
  console.log(formatTable(rows));
  console.log(`  stages ran ${((Date.now() - roundStarted) / 1000).toFixed(1)} s (${run === runPipeline ? 'level by level' : 'pipelined'})`);

  const [trajectories, sft, cpt] = await Promise.all([
    valuesOf(readRoundRecords(closed, 'fw.rollout.trajectories', ctx)),
    valuesOf(readRoundRecords(closed, 'fw.sft.trajectories', ctx)),
    valuesOf(readRoundRecords(closed, 'fw.cpt.samples', ctx)),
  ]);
  const acc = accuracy(trajectories, questionIds);
  const all = accuracy(trajectories);
  const contamination = contaminationBySet(await readVerdicts(ctx), closed.round);
  const origins = countBy(cpt.map((c) => (c.source_round < c.round ? `${c.origin} (from round ${c.source_round})` : c.origin)));
  console.log(
    [
      `  rollouts ${all.rollouts} on ${all.questions} questions; accepted by the judge ${all.correct} (${pct(all.correct, all.rollouts)}); kept for SFT ${sft.length} (acceptance ${pct(sft.length, all.rollouts)})`,
      `  agent on the bundled questions: EM ${acc.em.toFixed(3)}, F1 ${acc.f1.toFixed(3)} (avg over ${acc.rollouts} rollouts of ${acc.questions} questions), pass@G ${acc.passAtG.toFixed(3)}`,
      `  CPT samples of the round: ${Object.entries(origins).map(([o, n]) => `${o} ${n}`).join(', ') || 'none'}`,
      `  contamination: ${contamination.map((c) => `${c.set} ${c.hard} hard / ${c.review} review / ${c.released} released`).join('; ') || 'no hits (or no evaluation set registered)'}`,
      '',
    ].join('\n'),
  );
  const [roundQuestions, drops] = await Promise.all([valuesOf(readRoundRecords(closed, 'fw.fas.questions', ctx)), valuesOf(readRoundRecords(closed, 'fw.drops', ctx))]);
  const quality = qualityFromRecords(closed.round, { questions: roundQuestions, drops, rollouts: trajectories, sft });
  console.log(`${renderQualityReport(quality).replace(/^/gm, '  ')}\n`);
  // the next round starts consumers in the same groups: this round's must have left them
  await stopped;
}

/** The round's documents: the questions' paragraphs through ingest when it is registered, else straight to fw.docs. */
async function produceDocuments(ctx: CliContext, round: number, items: QaItem[]): Promise<void> {
  if (stages.some((s) => s.name === 'ingest')) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-demo-')), `hotpotqa-round-${round}.jsonl`);
    fs.writeFileSync(file, items.map((i) => JSON.stringify(i)).join('\n') + '\n');
    await ingestPaths([file], ctx);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  } else {
    await send(ctx, 'fw.docs', 'fw.Document', bundledDocuments(items, round));
  }
}

function bundledQuestion(item: QaItem, round: number): Question {
  return {
    ...recordMeta({ id: contentId('q', 'hotpotqa', item.id), round, producer }),
    question: item.question,
    answer: item.answer,
    style: `hotpotqa_${item.type ?? 'qa'}`,
    evidence: [],
    entity_ids: [],
    operations: [],
    difficulty: 0,
    cluster_id: '',
    strategy: 'dataset',
    llm: null,
  };
}

function bundledDocuments(items: QaItem[], round: number): Document[] {
  const seen = new Set<string>();
  return items.flatMap((item) =>
    item.paragraphs.flatMap((p) => {
      const hash = sha256(`${p.title}\n${p.text}`);
      if (seen.has(hash)) return [];
      seen.add(hash);
      return [{ ...recordMeta({ id: contentId('doc', hash), round, producer }), source_kind: 'qa', source_uri: `hotpotqa:${item.id}`, url: '', title: p.title, text: p.text, lang: 'en', content_hash: hash, quality: {} }];
    }),
  );
}

async function send(ctx: CliContext, topic: 'fw.docs' | 'fw.fas.questions', schema: string, values: Array<{ id: string }>): Promise<void> {
  const physical = ctx.names.physical(topic);
  const producer = ctx.kafka.producer();
  try {
    const records = await Promise.all(values.map(async (v) => ({ key: v.id, value: await ctx.serde.encode(schema, v, physical) })));
    for (let i = 0; i < records.length; i += 200) await producer.send([{ topic: physical, records: records.slice(i, i + 200) }]);
  } finally {
    await producer.close();
  }
}

async function exportAll(ctx: CliContext, rounds: number, out: string): Promise<void> {
  // every export reads its own slices of the topics: they wait on the broker, not on each other
  const jobs = Array.from({ length: rounds }, (_, i) => i + 1).flatMap((round) => exportFormats.map((format) => ({ round, format })));
  const results = await Promise.all(jobs.map(({ round, format }) => exportRound(ctx, { round, format, out, mixture: format === 'verl-sft-parquet' ? 'sft-b' : undefined })));
  const rows = jobs.flatMap(({ round, format }, i) => results[i].files.map((f) => ({ round, format, file: path.relative(process.cwd(), f.path), rows: f.rows })));
  console.log(`exports (exactly each round's manifest):\n${formatTable(rows)}`);
}

/** Keeps FAS (and so the rollouts) proportional to the demo's size: about three clusters per bundled question. */
function clusterBudget(round: number, questions: number): { seed: number; walks: number; subtables: number } {
  return { seed: round, walks: 2 * questions, subtables: Math.max(1, Math.ceil(questions / 2)) };
}

function summariseResult(result: unknown): string {
  if (result && typeof result === 'object' && 'clusters' in result) return `memory.clusters ${(result as { clusters: number }).clusters}, merged mentions ${(result as { merged_mentions?: number }).merged_mentions ?? 0}`;
  if (result && typeof result === 'object' && 'questions' in result) return `fas.questions ${(result as { questions: number }).questions}`;
  return '-';
}

async function valuesOf<T extends RoundRecord<TopicName>>(records: Promise<T[]>): Promise<Array<T['value']>> {
  return (await records).map((r) => r.value);
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

function pct(n: number, d: number): string {
  return d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a';
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}
