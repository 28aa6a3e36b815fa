import { Command } from 'commander';
import { ConfigError } from '../platform/errors.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerStackCommands } from './commands/stack.ts';
import { registerTopicCommands } from './commands/topics.ts';

/** The `flywheel` command: one entry point for operators, analysts and training jobs. */
export function buildProgram(): Command {
  const program = new Command('flywheel')
    .description('an agentic data flywheel on Kafka + Avro + ClickHouse (AgentFounder / Tongyi DeepResearch pipeline)')
    .showHelpAfterError();
  registerStackCommands(program);
  registerTopicCommands(program);
  registerRunCommand(program);
  registerDlqCommands(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`flywheel: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
