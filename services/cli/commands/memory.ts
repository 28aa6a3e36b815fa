import type { Command } from 'commander';
import { sampleAndPublish } from '../../memory/publish.ts';
import { rebuildEntities } from '../../memory/rebuild.ts';
import { cliContext } from '../context.ts';
import { progressLine } from '../progress.ts';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} expects a non-negative integer, got ${v}`);
  return n;
};

export function registerMemoryCommands(program: Command): void {
  const memory = program.command('memory').description('the entity-anchored memory (fw.memory.*)');
  memory
    .command('sample')
    .description('sample entity clusters (random walks and shared-attribute sub-tables) from the current memory into fw.memory.clusters')
    .option('--seed <n>', 'random seed: the same memory and seed give the same clusters', int('seed'), 1)
    .option('--walks <n>', 'random walks to try', int('walks'), 100)
    .option('--subtables <n>', 'sub-tables to try', int('subtables'), 30)
    .option('--max-size <n>', 'largest cluster (2–5)', int('max-size'), 5)
    .action(async (o: { seed: number; walks: number; subtables: number; maxSize: number }) => {
      const ctx = cliContext();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      const summary = await sampleAndPublish(ctx, { seed: o.seed, walks: o.walks, subtables: o.subtables, maxSize: Math.min(5, Math.max(2, o.maxSize)) });
      console.log(JSON.stringify(summary, null, 2));
    });
  memory
    .command('rebuild')
    .description('recompute every entity from fw.memory.facts (a fresh consumer group, no reloaded state) and rewrite fw.memory.entities')
    .action(async () => {
      const ctx = cliContext();
      const line = progressLine();
      const result = await rebuildEntities({ kafka: ctx.kafka, names: ctx.names, env: process.env, onProgress: (done, total) => line.update(`rebuild: ${done}/${total} facts`) });
      line.end();
      console.log(`rebuilt the entities from ${result.facts} facts in ${result.seconds.toFixed(1)} s`);
    });
}
