import type { Command } from 'commander';
import { loadPlatformConfig } from '../../platform/config.ts';
import { formatResult, type OutputFormat } from '../../analytics/format.ts';
import { openQuerier } from '../../analytics/querier.ts';
import { ReadOnlyViolationError } from '../../analytics/query.ts';

export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .argument('<query>', 'one read-only statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS)')
    .description('query the analytics store read-only (through the running analytics service, the embedded folder, or CLICKHOUSE_URL)')
    .option('--format <format>', 'table | csv | json (JSON lines)', 'table')
    .option('--param <name=value...>', 'query parameters, used as {name:Type} in the query')
    .action(async (query: string, options: { format: string; param?: string[] }) => {
      if (!['table', 'csv', 'json'].includes(options.format)) {
        console.error(`flywheel sql: --format must be table, csv or json (got ${options.format})`);
        process.exit(2);
      }
      const params = Object.fromEntries((options.param ?? []).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      const querier = await openQuerier(loadPlatformConfig());
      try {
        const result = await querier.query(query, params);
        const text = formatResult(result, options.format as OutputFormat);
        if (text) console.log(text);
        console.error(`${result.rows.length} row(s) via ${querier.via}`);
      } catch (error) {
        console.error(`flywheel sql: ${(error as Error).message}`);
        process.exitCode = error instanceof ReadOnlyViolationError ? 3 : 1;
      } finally {
        await querier.close();
      }
    });
}
