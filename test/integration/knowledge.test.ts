import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fasStage } from '../../services/fas/stage.ts';
import { ingestPaths } from '../../services/ingest/ingest-paths.ts';
import { ingestStage } from '../../services/ingest/stage.ts';
import { entitiesStage } from '../../services/memory/entities-stage.ts';
import { memoryStage } from '../../services/memory/extract-stage.ts';
import { sampleAndPublish } from '../../services/memory/publish.ts';
import { startStage, type RunningStage } from '../../services/platform/runtime/runner.ts';
import type { AnyStage } from '../../services/platform/runtime/stage.ts';
import { bundled, hotpotSlice, knowledgeFixtures } from '../fixtures/knowledge-corpus.ts';
import { consumedBy, drainByCount } from '../fixtures/knowledge-drain.ts';
import { TestEnv } from '../support.ts';

/**
 * The knowledge side end to end through the real broker: a small real corpus (HotpotQA paragraphs, the
 * bundled WARC and Wikipedia dumps, HTML pages, a JSONL file with a broken line) goes through ingest →
 * memory → memory-entities, clusters are sampled, and fas turns them into questions, actions and CPT text.
 */
describe('knowledge side: ingest → memory → clusters → fas', () => {
  const env = new TestEnv({ STAGE_PARTITIONS_CONCURRENTLY: '4' });
  const ctx = { kafka: env.cluster, names: env.names, serde: env.serde, config: env.config };
  const running: RunningStage[] = [];
  let corpus: string[];

  const start = async (stage: AnyStage) => {
    const r = await startStage(stage, { env: env.env, http: false, progressEveryMs: 0 });
    running.push(r);
    return { running: r, topics: stage.inputs.map((t: string) => env.topic(t)) };
  };
  const drain = (...stages: Array<Awaited<ReturnType<typeof start>> & { previously?: number }>) => drainByCount(env.kafka, stages);

  beforeAll(async () => {
    await env.createTopics();
    corpus = [hotpotSlice(env.home, 25), bundled.warc, bundled.bgwiki, bundled.enwiki, path.join(knowledgeFixtures, 'pages'), path.join(knowledgeFixtures, 'malformed.jsonl')];
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await env.cleanup();
  });

  it('turns a corpus into documents, entities, clusters, questions of every style, actions and CPT samples with lineage', async () => {
    const summary = await ingestPaths(corpus, ctx);
    // a malformed line is reported with its file and line; everything else is sent
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatchObject({ file: expect.stringContaining('malformed.jsonl'), line: 3, message: expect.stringContaining('invalid JSON') });
    expect(summary.produced).toMatchObject({ qa: 250, warc: 1, wikipedia: 107, html: 3, jsonl: 3 });
    expect(summary.skipped.wiki_redirect).toBeGreaterThan(90);

    const ingest = await start(ingestStage);
    const memory = await start(memoryStage);
    const entities = await start(entitiesStage);
    await drain(ingest);
    await drain(memory);
    await drain(entities);

    const docs = await env.read('fw.docs');
    const drops = await env.read('fw.drops');
    const docIds = new Set(docs.map((d) => d.id));
    expect(docIds.size).toBe(docs.length);
    expect(new Set(docs.map((d) => d.source_kind))).toEqual(new Set(['qa', 'warc', 'wikipedia', 'html', 'jsonl']));
    expect(docs.find((d) => d.source_kind === 'warc')?.text).toContain('Internet Assigned Numbers Authority');
    expect(docs.find((d) => d.lang === 'bg')?.title).toBe('Григориански календар');
    // the mirror page is a near duplicate; repeated HotpotQA paragraphs are exact duplicates; the broken line is counted
    const reasons = drops.map((d) => d.reason);
    expect(reasons).toContain('duplicate_near');
    expect(reasons).toContain('malformed_input');
    expect(drops.find((d) => d.reason === 'malformed_input')?.detail).toMatch(/malformed\.jsonl:3: invalid JSON/);
    expect(docs.filter((d) => d.title.startsWith('Kestrel Valley'))).toHaveLength(1);

    const facts = await env.read('fw.memory.facts');
    expect(facts.length).toBeGreaterThan(docs.length);
    for (const f of facts) expect(docIds.has(f.doc_id)).toBe(true);
    const entityRecords = await env.read('fw.memory.entities');
    const latest = new Map(entityRecords.map((e) => [e.entity_id, e]));
    const portCalder = latest.get('port_calder');
    expect(portCalder?.statements.map((s) => s.text).join(' ')).toContain('founded in 1838');
    expect([...latest.values()].some((e) => e.relations.length > 0)).toBe(true);

    const sampled = await sampleAndPublish(ctx, { seed: 7, walks: 300, subtables: 80 });
    expect(sampled.random_walk).toBeGreaterThan(20);
    expect(sampled.subtable).toBeGreaterThan(5);
    const clusters = await env.read('fw.memory.clusters');
    for (const c of clusters) {
      expect(c.entities.length).toBeGreaterThanOrEqual(2);
      expect(c.entities.length).toBeLessThanOrEqual(5);
    }

    const fas = await start(fasStage);
    await drain(fas);
    const questions = await env.read('fw.fas.questions');
    const actions = await env.read('fw.fas.actions');
    const cpt = await env.read('fw.cpt.samples');
    expect(new Set(questions.map((q) => q.style))).toEqual(new Set(['factual', 'numeric', 'multi_hop', 'synthesis']));
    expect(questions.some((q) => q.operations.length > 0)).toBe(true);
    const clusterIds = new Set(clusters.map((c) => c.id));
    for (const q of questions) {
      // lineage: question → cluster and → every evidence document, which exists in fw.docs
      expect(clusterIds.has(q.cluster_id)).toBe(true);
      expect(q.parent_ids).toContain(q.cluster_id);
      for (const e of q.evidence) {
        expect(docIds.has(e.doc_id)).toBe(true);
        expect(q.parent_ids).toContain(e.doc_id);
      }
      expect(q.evidence.length).toBeGreaterThan(0);
    }
    const byQuestion = new Map<string, string[]>();
    for (const a of actions) byQuestion.set(a.question_id, [...(byQuestion.get(a.question_id) ?? []), a.kind]);
    for (const q of questions) expect(byQuestion.get(q.id)?.sort()).toEqual(['planning', 'reasoning']);
    const planning = actions.find((a) => a.kind === 'planning')!;
    expect(planning.items).toHaveLength(3);
    const reasoning = actions.find((a) => a.kind === 'reasoning')!;
    expect(reasoning.text).toMatch(/Preliminary answer[\s\S]*Final answer/);
    const actionIds = new Set(actions.map((a) => a.id));
    const fasCpt = cpt.filter((c) => c.origin.startsWith('fas_'));
    expect(fasCpt).toHaveLength(actions.length);
    for (const c of fasCpt) expect(actionIds.has(c.parent_ids[0])).toBe(true);

    // re-ingesting the same corpus adds nothing downstream of the dedup — even after a restart of the ingest
    // stage, whose new instance rebuilds its dedup state from fw.ingest.signatures
    await ingest.running.stop();
    const restarted = await start(ingestStage);
    const again = await ingestPaths(corpus.filter((f) => !f.endsWith('.jsonl') || f.includes('hotpotqa')), ctx);
    expect(again.records).toBeGreaterThan(300);
    await drain({ ...restarted, previously: await consumedBy(ingest.running) });
    await drain(memory);
    await drain(entities);
    expect(await env.read('fw.docs')).toHaveLength(docs.length);
    expect(await env.read('fw.memory.facts')).toHaveLength(facts.length);
    const dropsAfter = await env.read('fw.drops');
    expect(dropsAfter.filter((d) => d.reason === 'duplicate_exact').length).toBeGreaterThanOrEqual(docs.length - 3);
    fs.rmSync(corpus[0]);
  }, 420_000);
});
