import type { Command } from 'commander';
import { loadPlatformConfig } from '../../platform/config.ts';
import { createClickHouse } from '../../platform/clickhouse.ts';
import { applyDdl, loadDdl } from '../../analytics/ddl.ts';
import { claimFolder } from '../../analytics/owner.ts';
import { embeddedDataDir } from '../../analytics/querier.ts';
import { startAnalytics } from '../../analytics/service.ts';

export function registerAnalyticsCommands(program: Command): void {
  const analytics = program.command('analytics').description('the analytics sink: every topic → ClickHouse, with funnel, cost and lineage views');
  analytics
    .command('run', { isDefault: true })
    .description('run the sink until SIGTERM/SIGINT (applies deploy/clickhouse/*.sql first; serves POST /query on HTTP_PORT)')
    .action(async () => {
      const running = await startAnalytics({ env: process.env });
      const shutdown = (signal: string) => {
        console.error(`${signal}: flushing and stopping the analytics sink…`);
        void running.stop();
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      await running.done;
      if (running.sink.crashed) process.exitCode = 1; // the consumer gave up: let the orchestrator restart us
    });
  analytics
    .command('ddl')
    .description('apply deploy/clickhouse/*.sql (idempotent), or print it with --print')
    .option('--print', 'print the statements for CLICKHOUSE_DATABASE instead of applying them')
    .action(async (options: { print?: boolean }) => {
      const config = loadPlatformConfig();
      if (options.print) {
        for (const statement of loadDdl(config.CLICKHOUSE_DATABASE)) console.log(`${statement};\n`);
        return;
      }
      const release = config.CLICKHOUSE_URL ? () => undefined : claimFolder(embeddedDataDir(config), { database: config.CLICKHOUSE_DATABASE, holder: 'flywheel analytics ddl' });
      try {
        const { client, location } = await createClickHouse(config);
        const result = await applyDdl(client, config.CLICKHOUSE_DATABASE);
        await client.close();
        console.log(JSON.stringify({ clickhouse: location, database: config.CLICKHOUSE_DATABASE, ...result }));
      } finally {
        release();
      }
    });
}
