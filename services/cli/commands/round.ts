import { stageConfigVariables } from '../../stages.ts';
import type { Command } from 'commander';
import type { RoundManifest } from '../../platform/generated/records.ts';
import { rangeSizes } from '../../rounds/manifest.ts';
import { closeRound, openRound, readManifests } from '../../rounds/rounds.ts';
import { cliContext } from '../context.ts';

export function registerRoundCommands(program: Command): void {
  const round = program.command('round').description('flywheel rounds: exact offset ranges of every topic, with the model they ran with (fw.rounds)');
  round
    .command('open')
    .description('start the next round; its ranges begin where the last round ended')
    .requiredOption('--model <name>', 'policy model of this round (e.g. the checkpoint trained on the previous round)')
    .option('--model-version <v>', 'model version (default r<round>)')
    .option('--endpoint <url>', 'OpenAI-compatible endpoint serving the model')
    .action(async (options: { model: string; modelVersion?: string; endpoint?: string }) => {
      const ctx = cliContext();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      const manifest = await openRound(ctx, { model: options.model, modelVersion: options.modelVersion, endpoint: options.endpoint, configVariables: stageConfigVariables(), env: process.env });
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
      console.table(
        manifests.map((m) => {
          const sizes = rangeSizes(m);
          return {
            round: m.round,
            status: m.status,
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
      if (manifests.length === 0) console.error('no rounds yet: `flywheel round open --model <name>`');
    });
}

function topicTable(manifest: RoundManifest): Array<{ topic: string; partitions: number; offsets: number }> {
  const partitions = new Map<string, number>();
  for (const r of manifest.ranges) partitions.set(r.topic, (partitions.get(r.topic) ?? 0) + 1);
  return [...rangeSizes(manifest)].map(([topic, offsets]) => ({ topic, partitions: partitions.get(topic) ?? 0, offsets }));
}
