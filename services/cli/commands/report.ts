import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadPlatformConfig } from '../../platform/config.ts';
import { formatResult } from '../../analytics/format.ts';
import { openQuerier } from '../../analytics/querier.ts';
import { loadQualityReport, renderQualityReport } from '../../analytics/quality.ts';
import { loadRoundReport, renderFunnelSvg, renderFunnelTable } from '../../analytics/report.ts';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("print a round's yield funnel (docs → … → CPT samples) with cost per accepted sample and its data quality (drops by reason, answerability, process check), and write the funnel as an SVG chart")
    .requiredOption('--round <n>', 'flywheel round', (v) => Number.parseInt(v, 10))
    .option('--svg <file>', 'where to write the chart (default: $FLYWHEEL_HOME/reports/round-<n>-funnel.svg)')
    .action(async (options: { round: number; svg?: string }) => {
      if (!Number.isInteger(options.round) || options.round < 1) {
        console.error('flywheel report: --round must be a positive integer');
        process.exit(2);
      }
      const config = loadPlatformConfig();
      const querier = await openQuerier(config);
      try {
        const report = await loadRoundReport(querier, options.round);
        console.log(renderFunnelTable(report));
        const db = querier.database;
        const sections: Array<[string, string]> = [
          ['acceptance per question style', `SELECT style, questions, rollouts, accepted, acceptance_rate, pass_at_1, pass_at_g FROM ${db}.acceptance_by_style WHERE round = {round:Int32}`],
          ['drops per stage and reason', `SELECT stage, reason, drops FROM ${db}.drop_reasons WHERE round = {round:Int32}`],
          ['contamination per evaluation set', `SELECT set_name, hard, review, released, questions, trajectories, cpt_samples FROM ${db}.contamination_by_set WHERE round = {round:Int32}`],
        ];
        for (const [title, sql] of sections) {
          const result = await querier.query(sql, { round: options.round });
          if (result.rows.length) console.log(`\n${title}\n${formatResult(result, 'table')}`);
        }
        console.log(`\n${renderQualityReport(await loadQualityReport(querier, options.round))}`);
        const file = options.svg ?? path.join(config.FLYWHEEL_HOME, 'reports', `round-${options.round}-funnel.svg`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, renderFunnelSvg(report));
        console.error(`chart: ${file} (data via ${querier.via})`);
      } finally {
        await querier.close();
      }
    });
}
