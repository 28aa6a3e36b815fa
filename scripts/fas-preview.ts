/**
 * Offline preview of what fas makes from the bundled HotpotQA slice, without Kafka: paragraphs → NLP facts →
 * merged entities → clusters (the demo's budget) → template questions → obfuscation → gate. Prints JSON lines
 * of kept questions (and, with --drops, dropped ones with their reason). For iterating on the generator.
 *   npx tsx scripts/fas-preview.ts [--limit 6] [--rounds 1] [--drops]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Fact } from '../services/platform/generated/records.ts';
import { seededRandom } from '../services/platform/runtime/random.ts';
import { EntityIds } from '../services/memory/entity-id.ts';
import { NlpExtractor } from '../services/memory/extract/nlp.ts';
import { emptyEntity, mergeFact, toRecordBody, type EntityState } from '../services/memory/merge.ts';
import { resolveSnapshot } from '../services/memory/resolve/snapshot.ts';
import { sampleClusters } from '../services/memory/sample.ts';
import { QuestionIndex } from '../services/fas/dedup.ts';
import { QuestionGate } from '../services/fas/gate/index.ts';
import { synthesize } from '../services/fas/synthesize.ts';
import { TemplateStrategy } from '../services/fas/templates.ts';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '6' }, rounds: { type: 'string', default: '1' }, drops: { type: 'boolean', default: false } } });
const limit = Number(values.limit);
const items = fs.readFileSync('data/hotpotqa/dev_300.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const header = { id: '', round: 1, parent_ids: [], producer: { service: 'preview', version: '0', instance: '' }, created_at: 0 };
const ids = new EntityIds();
const extractor = new NlpExtractor(ids, 40);
const entities = new Map<string, EntityState>();
const strategy = new TemplateStrategy();
const gate = new QuestionGate(new QuestionIndex(0.7));
let n = 0;
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const item of items.slice((round - 1) * limit, round * limit)) {
    for (const p of item.paragraphs) {
      const doc = { ...header, id: `doc_${p.title}`, source_kind: 'qa', source_uri: '', url: '', title: p.title, text: p.text, lang: 'en', content_hash: '', quality: {} };
      const { facts } = await extractor.extract(doc);
      for (const f of facts) {
        const entityId = ids.id(f.entityName);
        if (!entityId) continue;
        const fact: Fact = { ...header, id: `fact_${++n}`, entity_id: entityId, entity_name: f.entityName, entity_type: f.entityType, entity_aliases: f.aliases, statement: f.statement, doc_id: doc.id, related_entity_ids: f.related.map((r) => ids.id(r.name)).filter((r) => r && r !== entityId), relation: '', extractor: 'nlp', llm: null };
        let state = entities.get(entityId);
        if (!state) entities.set(entityId, (state = emptyEntity(entityId)));
        mergeFact(state, fact);
      }
    }
  }
  const { entities: snapshot } = resolveSnapshot([...entities.values()].map((s) => ({ ...header, ...toRecordBody(s, { statements: 64, relations: 64 }) })));
  const clusters = sampleClusters(snapshot, { seed: round, walks: 2 * limit, subtables: Math.max(1, Math.ceil(limit / 2)) });
  for (const [i, body] of clusters.entries()) {
    const cluster = { ...header, ...body, id: `cluster_${round}_${i}` };
    const random = seededRandom(cluster.id);
    for (const c of await synthesize(cluster, { strategy, gate, random, obfuscation: 0.6, position: cluster.id })) {
      if (c.rejection && !values.drops) continue;
      const d = c.draft;
      console.log(JSON.stringify({ kept: !c.rejection, reason: c.rejection?.reason, detail: c.rejection?.detail, style: d.style, question: d.question, answer: d.answer, evidence: d.evidence.map((e) => e.statement), operations: d.operations.map((o) => `${o.op}: ${o.detail}`) }));
    }
  }
}
