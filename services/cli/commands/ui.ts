import type { Command } from 'commander';
import { openQuerier } from '../../analytics/querier.ts';
import { loadConfig, loadPlatformConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { viewerConfigSchema } from '../../viewer/config.ts';
import { startViewer } from '../../viewer/server.ts';
import { cliContext } from '../context.ts';

export function registerUiCommand(program: Command): void {
  program
    .command('ui')
    .description('serve the data viewer: rounds, record tables, trajectories step by step, HAS decisions, lineage, DLQ (read-only)')
    .option('--host <address>', 'bind address (VIEWER_HOST, default 127.0.0.1)')
    .option('--port <n>', 'port, 0 = any free port (VIEWER_PORT, default 8089)')
    .option('--allow-redrive', 'allow re-driving dead letters to Kafka from the DLQ view (VIEWER_READ_ONLY=false)')
    .action(async (options: { host?: string; port?: string; allowRedrive?: boolean }) => {
      const env = {
        ...process.env,
        ...(options.host ? { VIEWER_HOST: options.host } : {}),
        ...(options.port ? { VIEWER_PORT: options.port } : {}),
        ...(options.allowRedrive ? { VIEWER_READ_ONLY: 'false' } : {}),
      };
      const config = loadConfig(viewerConfigSchema, env);
      const platform = loadPlatformConfig(env);
      const logger = createLogger({ level: platform.LOG_LEVEL }).child({ service: 'viewer' });
      const querier = await openQuerier(platform);
      const redrive = config.VIEWER_READ_ONLY
        ? undefined
        : async (filter: { stage?: string; code?: string }) => {
            const ctx = cliContext(env);
            return ctx.kafka.redriveDeadLetters(ctx.names, ctx.serde, filter);
          };
      const viewer = await startViewer({ querier, config, redrive }, { host: config.VIEWER_HOST, port: config.VIEWER_PORT, logger });
      logger.info({ url: viewer.url, via: querier.via, readOnly: config.VIEWER_READ_ONLY }, 'viewer listening');
      console.error(`flywheel ui: ${viewer.url} (data via ${querier.via}${config.VIEWER_READ_ONLY ? ', read-only' : ', re-drive allowed'})`);
      const stop = async () => {
        await viewer.close();
        await querier.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop());
      process.once('SIGINT', () => void stop());
    });
}
