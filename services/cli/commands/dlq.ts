import type { Command } from 'commander';
import { cliContext } from '../context.ts';

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('the dead-letter topic fw.dlq');
  dlq
    .command('list')
    .description('list dead letters with stage, error and original position')
    .option('--json', 'print JSON lines')
    .action(async (options: { json?: boolean }) => {
      const ctx = cliContext();
      const entries = await ctx.kafka.listDeadLetters(ctx.names, ctx.serde);
      const rows = entries.map(({ letter }) => ({
        id: letter.id,
        stage: letter.stage,
        code: letter.error_code,
        error: letter.error_message.slice(0, 120),
        origin: `${letter.original_topic}/${letter.original_partition}@${letter.original_offset}`,
        attempts: letter.attempts,
      }));
      if (options.json) for (const r of rows) console.log(JSON.stringify(r));
      else console.table(rows);
      console.error(`${rows.length} dead letter(s)`);
    });
  dlq
    .command('redrive')
    .description('put dead letters back on their original topics (each at most once)')
    .option('--stage <stage>', 'only letters of this stage')
    .option('--code <code>', 'only letters with this error code')
    .option('--dry-run', 'count what would be redriven')
    .action(async (options: { stage?: string; code?: string; dryRun?: boolean }) => {
      const ctx = cliContext();
      const result = await ctx.kafka.redriveDeadLetters(ctx.names, ctx.serde, options);
      console.log(JSON.stringify(result, null, 2));
    });
}
