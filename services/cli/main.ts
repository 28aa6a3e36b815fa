import { Command } from 'commander';
import { ConfigError } from '../platform/errors.ts';
import { registerAnalyticsCommands } from './commands/analytics.ts';
import { registerDecontamCommands } from './commands/decontam.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerIngestCommand } from './commands/ingest.ts';
import { registerLineageCommand } from './commands/lineage.ts';
import { registerLlmCommands } from './commands/llm.ts';
import { registerMemoryCommands } from './commands/memory.ts';
import { registerRoundCommands } from './commands/round.ts';
import { registerRecordsCommand } from './commands/records.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerSqlCommand } from './commands/sql.ts';
import { registerStackCommands } from './commands/stack.ts';
import { registerTopicCommands } from './commands/topics.ts';
import { registerUiCommand } from './commands/ui.ts';

/** The `flywheel` command: one entry point for operators, analysts and training jobs. */
export function buildProgram(): Command {
  const program = new Command('flywheel')
    .description('an agentic data flywheel on Kafka + Avro + ClickHouse (AgentFounder / Tongyi DeepResearch pipeline)')
    .showHelpAfterError();
  registerStackCommands(program);
  registerTopicCommands(program);
  registerRecordsCommand(program);
  registerLlmCommands(program);
  registerRunCommand(program);
  registerDlqCommands(program);
  registerEvalCommand(program);
  registerIngestCommand(program);
  registerMemoryCommands(program);
  registerRoundCommands(program);
  registerExportCommand(program);
  registerDecontamCommands(program);
  registerAnalyticsCommands(program);
  registerSqlCommand(program);
  registerReportCommand(program);
  registerLineageCommand(program);
  registerUiCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    console.error(`flywheel: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) console.error(error.stack);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
