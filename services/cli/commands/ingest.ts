import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { progressLine } from '../progress.ts';
import { describeError } from '../../lib/readers/index.ts';
import { ingestPaths, type IngestSummary } from '../../ingest/ingest-paths.ts';
import { ingestStage } from '../../ingest/stage.ts';
import { startStage } from '../../platform/runtime/runner.ts';
import { cliContext } from '../context.ts';

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .argument('<paths...>', 'files, folders or globs: *.jsonl (text or QA corpora), *.html folders, *.warc[.gz], MediaWiki *.xml[.bz2] dumps')
    .description('send sources into the flywheel (fw.ingest.raw); the ingest stage cleans, filters and deduplicates them into fw.docs')
    .option('--process', 'also run the ingest stage in this process until it has caught up, and report kept and dropped documents')
    .option('--json', 'print the summary as JSON')
    .option('--no-route-kept', 'do not read fw.ingest.signatures first: near duplicates of earlier runs\' documents may then land on other partitions and be kept')
    .action(async (paths: string[], options: { process?: boolean; json?: boolean; routeKept: boolean }) => {
      const ctx = cliContext();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      const bar = new cliProgress.SingleBar({
        format: 'ingest {bar} {percentage}% | {records} records | {rate} rec/s | ETA {eta_formatted} | {file}',
        hideCursor: true,
        etaBuffer: 50,
        stream: process.stderr,
        noTTYOutput: !process.stderr.isTTY,
        notTTYSchedule: 5000,
      });
      const started = Date.now();
      let barStarted = false;
      let at = 0;
      const summary = await ingestPaths(paths, ctx, {
        routeToKept: options.routeKept,
        onProgress: (p) => {
          const payload = { records: p.records, rate: Math.round((p.records * 1000) / Math.max(1, Date.now() - started)), file: p.file };
          at = p.bytesDone;
          if (!barStarted) {
            bar.start(Math.max(1, p.bytesTotal), at, payload);
            barStarted = true;
          }
          bar.update(p.bytesDone, payload);
        },
        onError: (error) => {
          if (barStarted) bar.stop();
          barStarted = false;
          console.error(`flywheel ingest: ${describeError(error)} (skipped; the rest is ingested)`);
        },
      });
      if (barStarted) bar.stop();
      const report: IngestSummary & { stage?: Record<string, unknown> } = summary;
      if (options.process) report.stage = await runIngestUntilDrained(ctx.names.physical('fw.ingest.raw'));
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else printSummary(report);
      if (summary.unmatched.length) console.error(`flywheel ingest: no readable files in ${summary.unmatched.join(', ')}`);
      if (summary.errors.length || summary.unmatched.length) process.exitCode = 1;
    });
}

async function runIngestUntilDrained(rawTopic: string): Promise<Record<string, unknown>> {
  const ctx = cliContext();
  const running = await startStage(ingestStage, { http: false, progressEveryMs: 0 });
  try {
    const line = progressLine();
    await ctx.kafka.waitForDrain([{ groupId: running.groupId, topics: [rawTopic] }], { onPoll: (lag) => line.update(`ingest stage: ${lag} records behind`) });
    line.end();
  } finally {
    await running.stop();
    process.stderr.write('\n');
  }
  const values = async (name: string) => (await running.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const kept = (await values('flywheel_records_out_total')).find((v) => v.labels.topic === 'fw.docs')?.value ?? 0;
  const drops = Object.fromEntries((await values('flywheel_drops_total')).map((v) => [String(v.labels.reason), v.value]));
  return { documents_kept: kept, dropped_by_reason: drops };
}

function printSummary(s: IngestSummary & { stage?: Record<string, unknown> }): void {
  console.log(`ingested ${s.records} raw documents from ${s.files.length} file(s) into ${s.topic} in ${s.seconds.toFixed(1)} s`);
  for (const [kind, n] of Object.entries(s.produced)) console.log(`  ${kind}: ${n}`);
  if (Object.keys(s.skipped).length) console.log(`  skipped: ${Object.entries(s.skipped).map(([r, n]) => `${r}=${n}`).join(', ')}`);
  if (s.colocated) console.log(`  near duplicates sent where an earlier one went: ${s.colocated}`);
  if (s.errors.length) console.log(`  malformed inputs: ${s.errors.length} (first: ${describeError(s.errors[0])})`);
  if (s.stage) console.log(`  ingest stage: ${JSON.stringify(s.stage)}`);
}
