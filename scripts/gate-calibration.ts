/**
 * Calibration of the question gate on human-written questions: the bundled HotpotQA questions (with their
 * supporting paragraphs as evidence) go through every check; a drop here is a false positive of the gate, or a
 * HotpotQA question a strategy could not write. Prints the share kept and each drop.
 *   npx tsx scripts/gate-calibration.ts [--limit 300]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Cluster } from '../services/platform/generated/records.ts';
import { slug } from '../services/memory/entity-id.ts';
import { inspect } from '../services/fas/gate/index.ts';
import { splitSentences } from '../services/memory/sentences.ts';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '300' } } });
const items = fs.readFileSync('data/hotpotqa/dev_300.jsonl', 'utf8').trim().split('\n').slice(0, Number(values.limit)).map((l) => JSON.parse(l));
const header = { id: 'c', round: 1, parent_ids: [], producer: { service: 'calibration', version: '0', instance: '' }, created_at: 0, kind: 'random_walk', seed: 0, shared_attribute: '', edges: [] };
const drops = new Map<string, number>();
for (const item of items) {
  const support = item.paragraphs.filter((p: { title: string }) => item.supporting_titles.includes(p.title));
  const entities = support.map((p: { title: string; text: string }) => {
    const statements = splitSentences(p.text).map((s) => s.text);
    return { entity_id: slug(p.title), name: p.title, statements, doc_ids: ['d'], statement_doc_ids: statements.map(() => 'd') };
  });
  const cluster: Cluster = { ...header, entities };
  const evidence = entities.flatMap((e: { entity_id: string; statements: string[] }) => e.statements.map((statement) => ({ entity_id: e.entity_id, statement, doc_id: 'd' })));
  const style = item.type === 'comparison' ? 'synthesis' : 'multi_hop';
  const rejection = inspect({ style, question: item.question, answer: item.answer, evidence, entityIds: entities.map((e: { entity_id: string }) => e.entity_id), operations: [], hops: 2 }, cluster);
  if (!rejection) continue;
  drops.set(rejection.reason, (drops.get(rejection.reason) ?? 0) + 1);
  console.log(`${rejection.reason}\t${rejection.detail}\t${item.question} → ${item.answer}`);
}
const dropped = [...drops.values()].reduce((a, b) => a + b, 0);
console.log(`\nkept ${items.length - dropped} of ${items.length} (${((100 * (items.length - dropped)) / items.length).toFixed(0)}%); dropped ${[...drops].map(([r, n]) => `${r} ${n}`).join(', ')}`);
