import path from 'node:path';
import type { Command } from 'commander';
import { evalContaminationWarning } from '../../decontam/eval-warning.ts';
import { loadPlatformConfig } from '../../platform/config.ts';
import { llmMode } from '../../platform/llm/config.ts';
import { ensureLocalLlmServer } from '../../platform/llm/local-process.ts';
import { runEval } from '../../rollout/eval/run.ts';
import { renderSummary } from '../../rollout/eval/report.ts';
import { cliContext } from '../context.ts';
import { progressLine } from '../progress.ts';
import { localKafka } from './stack.ts';

interface EvalCommandOptions {
  limit?: string;
  out?: string;
  g?: string;
  mode?: string;
  policy?: string;
  keepTopics?: boolean;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .argument('<qa.jsonl>', 'questions with answers and paragraphs (HotpotQA format, e.g. data/hotpotqa/dev_300.jsonl)')
    .description('run the rollout service on a QA file (its paragraphs as the offline corpus) and print EM / token F1 per question type')
    .option('--limit <n>', 'only the first n questions')
    .option('--out <file>', 'per-question results (JSONL); default $FLYWHEEL_HOME/eval/<file>-<time>.jsonl')
    .option('--g <n>', 'rollouts per question (ROLLOUT_G); default 1 for eval')
    .option('--mode <mode>', 'react | iterresearch (ROLLOUT_MODE)')
    .option('--policy <policy>', 'scripted | llm (ROLLOUT_POLICY)')
    .option('--keep-topics', 'keep the run topics (eval-<time>-<id>.*) for inspection')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: EvalCommandOptions) => {
      if (!process.env.KAFKA_BROKERS) await localKafka().up();
      const config = loadPlatformConfig();
      const warning = await evalContaminationWarning(cliContext(), file).catch((error: Error) => `note: could not check ${file} against registered evaluation sets (${error.message})`);
      if (warning) console.error(warning);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const out = options.out ?? path.join(config.FLYWHEEL_HOME, 'eval', `${path.basename(file, path.extname(file))}-${stamp}.jsonl`);
      const rolloutEnv: NodeJS.ProcessEnv = { ROLLOUT_G: options.g ?? process.env.ROLLOUT_G ?? '1' };
      if (options.mode) rolloutEnv.ROLLOUT_MODE = options.mode;
      if (options.policy) rolloutEnv.ROLLOUT_POLICY = options.policy;
      const needsModel = [rolloutEnv.ROLLOUT_POLICY ?? process.env.ROLLOUT_POLICY, process.env.ROLLOUT_JUDGE].includes('llm') || process.env.VISIT_LLM_SUMMARY === 'true';
      if (needsModel && llmMode() === 'local') {
        const { started, url } = await ensureLocalLlmServer();
        if (started) console.error(`started the local model server at ${url}`);
      }
      const interrupt = new AbortController();
      const stop = () => {
        console.error('\ninterrupted: stopping the rollout service and removing the run topics…');
        interrupt.abort();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const line = progressLine();
      const run = await runEval({
        signal: interrupt.signal,
        file,
        limit: options.limit ? Number(options.limit) : undefined,
        out,
        rolloutEnv,
        env: process.env,
        keepTopics: options.keepTopics,
        onProgress: (text) => line.update(text),
      });
      line.end();
      if (options.json) {
        console.log(JSON.stringify({ ...run.summary, documents: run.documents, dead_letters: run.deadLetters, seconds: run.seconds, results: out, topics: run.prefix, contamination_warning: warning ?? null }, null, 2));
        return;
      }
      console.log(renderSummary(run.summary));
      console.log(`\n${run.results.length} questions, ${run.documents} documents, ${run.deadLetters} dead letters, ${run.seconds.toFixed(1)} s (topics ${run.prefix}*)`);
      console.log(`per-question results: ${out}`);
      if (warning) console.error(`\n${warning}`);
    });
}
