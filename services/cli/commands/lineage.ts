import type { Command } from 'commander';
import { openQuerier } from '../../analytics/querier.ts';
import { loadPlatformConfig } from '../../platform/config.ts';
import { loadLineage, renderLineageText } from '../../viewer/queries/lineage.ts';

export function registerLineageCommand(program: Command): void {
  program
    .command('lineage')
    .argument('<id>', 'id of any record (an SFT sample, a CPT sample, a question, …)')
    .description("print a record's parents up to the source documents (topic/partition@offset) and its children down to the training samples")
    .option('--json', 'print the nodes and edges as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const querier = await openQuerier(loadPlatformConfig());
      try {
        const lineage = await loadLineage(querier, id);
        if (!lineage.nodes.some((n) => n.depth === 0 && n.table)) {
          console.error(`flywheel lineage: no record with id "${id}" in the analytics store (via ${querier.via})`);
          process.exitCode = 1;
          return;
        }
        console.log(options.json ? JSON.stringify(lineage, null, 2) : renderLineageText(lineage));
      } finally {
        await querier.close();
      }
    });
}
