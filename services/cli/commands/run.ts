import type { Command } from 'commander';
import { startStage } from '../../platform/runtime/runner.ts';
import { findStage, stages } from '../../stages.ts';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .argument('<service>', `one of: ${stages.map((s) => s.name).join(', ')}`)
    .description('run one service until SIGTERM/SIGINT (scale out by starting more: they share a consumer group)')
    .action(async (name: string) => {
      const running = await startStage(findStage(name));
      const shutdown = (signal: string) => {
        console.error(`${signal}: draining ${name}…`);
        void running.stop();
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      await running.done;
      if (running.failed()) {
        console.error(`${name}: consumer crashed or shutdown timed out; exiting so a supervisor restarts it from its committed offsets`);
      }
      // a client still retrying an unreachable broker would keep the event loop alive: the stage is done, so is the process
      process.exit(running.failed() ? 1 : 0);
    });
}
