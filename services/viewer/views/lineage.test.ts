import { describe, expect, it } from 'vitest';
import type { Lineage, LineageNode } from '../queries/lineage.ts';
import { collapseSiblings } from './lineage.ts';

const node = (id: string, table: string, depth: number, parentIds: string[]): LineageNode => ({ id, table, round: 1, depth, parentIds, label: id, locations: [] });

describe('lineage graph', () => {
  it('draws three or more children of one table with the same parents as one box, keeping every other record', () => {
    const lineage: Lineage = {
      id: 't',
      nodes: [
        node('doc', 'documents', -1, []), node('t', 'trajectories', 0, ['doc']),
        node('tc1', 'tool_calls', 1, ['t']), node('tc2', 'tool_calls', 1, ['t']), node('tc3', 'tool_calls', 1, ['t']),
        node('g', 'rl_groups', 1, ['t']), node('h1', 'has_samples', 1, ['t']), node('h2', 'has_samples', 1, ['t']),
      ],
      edges: [['doc', 't'], ['t', 'tc1'], ['t', 'tc2'], ['t', 'tc3'], ['t', 'g'], ['t', 'h1'], ['t', 'h2']],
    };
    const graph = collapseSiblings(lineage);
    expect(graph.nodes.map((n) => [n.id, n.count])).toEqual([['doc', 1], ['t', 1], ['3 tool_calls', 3], ['g', 1], ['h1', 1], ['h2', 1]]);
    expect(graph.edges).toEqual([['doc', 't'], ['t', '3 tool_calls'], ['t', 'g'], ['t', 'h1'], ['t', 'h2']]);
  });
});
