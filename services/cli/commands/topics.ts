import type { Command } from 'commander';
import { cliContext } from '../context.ts';

export function registerTopicCommands(program: Command): void {
  program
    .command('topics')
    .description('create missing catalogue topics and list every topic with its partitions and record counts')
    .option('--no-create', 'only list, do not create')
    .option('--json', 'print JSON')
    .action(async (options: { create: boolean; json?: boolean }) => {
      const ctx = cliContext();
      const created = options.create ? await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names) : [];
      const all = await ctx.kafka.offsetsOf(ctx.catalogue.all().map((spec) => ctx.names.physical(spec.name)));
      const rows = ctx.catalogue.all().map((spec) => {
        const physical = ctx.names.physical(spec.name);
        const offsets = all.get(physical);
        if (!offsets) return { topic: physical, value: spec.value, partitions: 0, cleanup: spec.cleanupPolicy, offsets: 0, status: 'missing' };
        return {
          topic: physical,
          value: spec.value,
          partitions: offsets.length,
          cleanup: spec.cleanupPolicy,
          offsets: offsets.reduce((s, o) => s + Number(o.high - o.low), 0),
          status: created.includes(physical) ? 'created' : 'ok',
        };
      });
      if (options.json) console.log(JSON.stringify(rows, null, 2));
      else console.table(rows);
    });
}
