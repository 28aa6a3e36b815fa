import { stageConfigVariables, stages } from '../../stages.ts';
import type { Command } from 'commander';
import type { RoundManifest } from '../../platform/generated/records.ts';
import { rangeSizes } from '../../rounds/manifest.ts';
import { contaminationBySet, readVerdicts } from '../../decontam/verdicts.ts';
import { renderDiff } from '../../rounds/rescore/diff.ts';
import { formatTable } from '../../rounds/summary.ts';
import { rescoreRound } from '../../rounds/rescore/rescore.ts';
import type { JudgeName, RewardName } from '../../rounds/rescore/scorers.ts';
import { closeRound, openRound, readManifests } from '../../rounds/rounds.ts';
import { createLlmClientFromEnv } from '../../platform/llm/index.ts';
import { cliContext } from '../context.ts';
import { policyModel, stageModels } from '../llm-plan.ts';

export function registerRoundCommands(program: Command): void {
  const round = program.command('round').description('flywheel rounds: exact offset ranges of every topic, with the model they ran with (fw.rounds)');
  round
    .command('open')
    .description('start the next round; its ranges begin where the last round ended')
    .option('--model <name>', 'policy model of this round (e.g. the checkpoint trained on the previous round); default: the one the rollout policy uses under this environment (scripted-policy, or the LLM and its endpoint)')
    .option('--model-version <v>', 'model version (default r<round>)')
    .option('--endpoint <url>', 'OpenAI-compatible endpoint serving the model')
    .action(async (options: { model?: string; modelVersion?: string; endpoint?: string }) => {
      const ctx = cliContext();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      const policy = policyModel(process.env, stages);
      const model = options.model ?? policy.model;
      const endpoint = options.endpoint ?? (options.model ? undefined : policy.endpoint);
      const manifest = await openRound(ctx, { model, modelVersion: options.modelVersion, endpoint, stageModels: stageModels(process.env, stages), configVariables: stageConfigVariables(), env: process.env });
      console.log(`round ${manifest.round} open: model ${manifest.model} ${manifest.model_version}, config ${manifest.config_hash}`);
      console.log(`run the services of this round with FLYWHEEL_ROUND=${manifest.round}${manifest.policy_endpoint ? ` and the policy endpoint ${manifest.policy_endpoint}` : ''}`);
    });
  round
    .command('close')
    .description('close the open round: snapshot the end offset of every partition of every topic')
    .action(async () => {
      const ctx = cliContext();
      const manifest = await closeRound(ctx);
      console.log(`round ${manifest.round} closed`);
      console.table(topicTable(manifest));
      const contamination = contaminationBySet(await readVerdicts(ctx), manifest.round);
      if (contamination.length) console.log(`contamination per evaluation set (hits held out of exports):\n${formatTable(contamination.map((c) => ({ ...c })))}`);
    });
  round
    .command('rescore')
    .description("judge a closed round's trajectories again and write new RL groups, SFT selections and discarded sets as a derived round (no rollout)")
    .requiredOption('--round <n>', 'round to re-score', (v) => Number.parseInt(v, 10))
    .requiredOption('--judge <judge>', 'exact_f1 | llm')
    .requiredOption('--reward <reward>', 'binary | f1 (an llm judge is always binary)')
    .option('--model <name>', 'model of the llm judge (LLM_MODEL_JUDGE)')
    .option('--f1-threshold <x>', 'exact_f1: token F1 that counts as correct', (v) => Number(v), 0.8)
    .option('--sft-per-question <n>', 'SFT picks per question (default: what the round kept)', (v) => Number.parseInt(v, 10))
    .option('--rl-keep-solved', 'keep groups every rollout solved as RL groups (as ROLLOUT_RL_KEEP_SOLVED does for rollout)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { round: number; judge: JudgeName; reward: RewardName; model?: string; f1Threshold: number; sftPerQuestion?: number; rlKeepSolved?: boolean; json?: boolean }) => {
      const ctx = cliContext();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      const env = options.model ? { ...process.env, LLM_MODEL_JUDGE: options.model } : process.env;
      const llm = options.judge === 'llm' ? (createLlmClientFromEnv(env, { logger: ctx.logger }) ?? undefined) : undefined;
      try {
        const result = await rescoreRound(ctx, { ...options, llm });
        if (options.json) {
          console.log(JSON.stringify({ parent: result.parent.round, derived: result.derived.round, existing: result.existing, derivation: result.derived.derivation, diff: result.diff }));
          return;
        }
        const { derived, outputs } = result;
        console.log(
          result.existing
            ? `round ${options.round} was already re-scored this way: derived round ${derived.round} (${derived.derivation}); nothing written`
            : `derived round ${derived.round} from round ${options.round} (${derived.derivation}): ${outputs.groups.length} RL groups, ${outputs.sft.length} SFT, ${outputs.discarded.length} discarded, ${outputs.scores.length} scores`,
        );
        console.log(renderDiff(result.diff));
      } finally {
        await llm?.close();
      }
    });
  round
    .command('list')
    .description('list rounds with their model and record counts')
    .option('--json', 'print the manifests as JSON lines')
    .action(async (options: { json?: boolean }) => {
      const ctx = cliContext();
      const manifests = await readManifests(ctx);
      if (options.json) {
        for (const m of manifests) console.log(JSON.stringify(m));
        return;
      }
      if (manifests.length === 0) {
        console.error('no rounds yet: `flywheel round open --model <name>`');
        return;
      }
      console.table(
        manifests.map((m) => {
          const sizes = rangeSizes(m);
          return {
            round: m.round,
            status: m.status,
            from: m.parent_round ?? '',
            model: m.model,
            version: m.model_version,
            config: m.config_hash,
            opened: new Date(m.opened_at).toISOString(),
            closed: m.closed_at ? new Date(m.closed_at).toISOString() : '',
            'sft offsets': sizes.get('fw.sft.trajectories') ?? 0,
            'rl offsets': sizes.get('fw.rl.groups') ?? 0,
            'cpt offsets': sizes.get('fw.cpt.samples') ?? 0,
          };
        }),
      );
    });
}

function topicTable(manifest: RoundManifest): Array<{ topic: string; partitions: number; offsets: number }> {
  const partitions = new Map<string, number>();
  for (const r of manifest.ranges) partitions.set(r.topic, (partitions.get(r.topic) ?? 0) + 1);
  return [...rangeSizes(manifest)].map(([topic, offsets]) => ({ topic, partitions: partitions.get(topic) ?? 0, offsets }));
}
