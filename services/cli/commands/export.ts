import { InvalidArgumentError, Option, type Command } from 'commander';
import { exportFormats, exportRound, type ExportFormat } from '../../export/export.ts';
import { mixtureNames, type MixtureName } from '../../export/mixtures.ts';
import type { ChatFormat } from '../../export/render.ts';
import { cliContext } from '../context.ts';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("write exactly the records of a closed round's manifest in a trainer's format")
    .requiredOption('--round <n>', 'closed round to export', (v) => parsePositiveInt(v))
    .addOption(new Option('--format <format>', 'output format').choices([...exportFormats]).makeOptionMandatory())
    .addOption(new Option('--mixture <name>', 'SFT mixture: sft-a (general chat, then agent data), sft-b (both stages mixed), sft-c (mixed, agent reasoning summarised)').choices([...mixtureNames]))
    .addOption(new Option('--chat-format <f>', 'openai-sft-jsonl rendering: openai (tool_calls) or tongyi (<think>/<tool_call>/<tool_response>/<answer> tags)').choices(['openai', 'tongyi']).default('openai'))
    .requiredOption('--out <dir>', 'output folder')
    .action(async (options: { round: number; format: ExportFormat; mixture?: MixtureName; chatFormat: ChatFormat; out: string }) => {
      if (options.mixture && !options.format.includes('sft')) throw new Error('--mixture applies to the SFT formats only');
      const ctx = cliContext();
      const result = await exportRound(ctx, options);
      console.table(result.files.map((f) => ({ file: f.path, rows: f.rows })));
      console.error(`round ${result.round}: read ${JSON.stringify(result.read)}${result.duplicates ? `, skipped ${result.duplicates} duplicate id(s)` : ''}${result.contaminated ? `, left out ${result.contaminated} contaminated record(s) (flywheel decontam list)` : ''}`);
    });
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}
