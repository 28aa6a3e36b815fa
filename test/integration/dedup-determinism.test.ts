import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../services/ingest/ingest-paths.ts';
import { ingestStage } from '../../services/ingest/stage.ts';
import type { RawDocument } from '../../services/platform/generated/records.ts';
import { startStage, type RunningStage } from '../../services/platform/runtime/runner.ts';
import { hotpotParagraphs, perturb, writeDedupCorpus } from '../fixtures/dedup-corpus.ts';
import { fixtureMeta, TestEnv } from '../support.ts';

interface Outcome {
  kept: string[];
  drops: string[];
  colocated: number[];
  /** Partition states loaded by the first group (more than one per partition: partitions moved between members). */
  loads: number;
}

/**
 * The ingest stage keeps the same documents, and drops the same records for the same reasons, with 1, 2 and 4
 * instances in its consumer group. Each run has its own topics and gets the same input through the real
 * producer (ingestPaths): a corpus with exact repeats, case variants, near duplicates and HTML copies among 560
 * distinct paragraphs, produced in two parts. One instance decides the first part on every partition; then the
 * others join and the second part is decided by all of them, so partitions have moved between instances
 * (a new owner must learn what the previous one kept). Then they stop, new instances start (state reloaded from
 * fw.ingest.signatures) and a second ingest brings near duplicates of kept documents, which the producer sends
 * to the partitions that kept them. Two near duplicates written straight to different partitions are both kept
 * in every run: the stage only compares a record with its own partition's documents.
 */
describe('dedup gives the same result for any number of ingest consumers', () => {
  const envs: TestEnv[] = [];
  const running: RunningStage[] = [];
  const outcomes = new Map<number, Outcome>();

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    for (const env of envs) await env.cleanup();
  });

  async function runWith(consumers: number): Promise<Outcome> {
    const env = new TestEnv({ STAGE_MAX_BATCH: '8' });
    envs.push(env);
    await env.createTopics();
    const ctx = { kafka: env.cluster, names: env.names, serde: env.serde, config: env.config };
    const corpus = writeDedupCorpus(env.home, 60, 500);
    // in two parts: one member decides the first on every partition, then the others join during the second
    const lines = fs.readFileSync(corpus.file, 'utf8').split('\n').filter(Boolean);
    const [part1, part2] = [lines.slice(0, 300), lines.slice(300)].map((part, i) => {
      const file = path.join(env.home, `part-${i + 1}.jsonl`);
      fs.writeFileSync(file, part.join('\n') + '\n');
      return file;
    });
    const first = await ingestPaths([part1], ctx);
    await produceSplitPair(env);

    const start = async (members: RunningStage[]) => {
      const member = await startStage(ingestStage, { env: env.env, http: false, progressEveryMs: 0 });
      members.push(member);
      running.push(member);
    };
    const drain = (members: RunningStage[]) => env.drain([{ groupId: members[0].groupId, inputs: members[0].inputs, idle: () => members.every((m) => m.idle()) }], 180_000);

    const members: RunningStage[] = [];
    await start(members);
    await drain(members);
    // the others join, and take over partitions the first one has started: they must learn what it kept there
    for (let i = 1; i < consumers; i++) await start(members);
    await until(async () => members.every((m) => m.ready()));
    const rest = await ingestPaths([part2], ctx);
    expect(first.records + rest.records).toBe(corpus.records);
    await drain(members);
    await Promise.all(members.map((m) => m.stop()));
    const loads = (await Promise.all(members.map(async (m) => (await m.metrics.registry.getSingleMetric('flywheel_ingest_dedup_loads_total')?.get())?.values[0]?.value ?? 0))).reduce((a, b) => a + b, 0);

    const group = async () => {
      const restarted: RunningStage[] = [];
      for (let i = 0; i < consumers; i++) await start(restarted);
      return restarted;
    };
    const restarted = await group();
    const again = path.join(env.home, 'second-run.jsonl');
    fs.writeFileSync(again, secondRun().map((l) => JSON.stringify(l)).join('\n') + '\n');
    const second = await ingestPaths([again], ctx);
    await drain(restarted);
    await Promise.all(restarted.map((m) => m.stop()));

    const docs = await env.read('fw.docs');
    const drops = await env.read('fw.drops');
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
    return {
      kept: docs.map((d) => d.id).sort(),
      // the detail names the source file, which lives in each run's own folder
      drops: drops.map((d) => `${d.subject_id} ${d.reason} ${d.detail.replaceAll(env.home, '<run>')}`).sort(),
      colocated: [first.colocated + rest.colocated, second.colocated],
      loads,
    };
  }

  for (const consumers of [1, 2, 4]) {
    it(`${consumers} consumer(s)`, async () => {
      outcomes.set(consumers, await runWith(consumers));
    }, 300_000);
  }

  it('kept the same documents and dropped the same records for the same reasons', () => {
    const [one, two, four] = [1, 2, 4].map((n) => outcomes.get(n)!);
    expect(two.kept).toEqual(one.kept);
    expect(four.kept).toEqual(one.kept);
    expect(two.drops).toEqual(one.drops);
    expect(four.drops).toEqual(one.drops);
    const reasons = (o: Outcome, reason: string) => o.drops.filter((d) => d.split(' ')[1] === reason).length;
    // the corpus's repeats, variants and HTML copies, and the second run's near duplicates, all caught
    expect(reasons(one, 'duplicate_exact')).toBeGreaterThanOrEqual(16);
    expect(reasons(one, 'duplicate_near')).toBeGreaterThanOrEqual(18 + secondRun().length - 1);
    expect(one.colocated[1]).toBe(secondRun().length);
    // the pair written straight to two partitions: both kept
    expect(one.drops.some((d) => d.includes('split_pair'))).toBe(false);
    expect(one.loads).toBe(4); // one member: each partition loaded once
    // more members: those that took over partitions the first one had started loaded them
    expect(two.loads).toBeGreaterThan(4);
    expect(four.loads).toBeGreaterThan(4);
    console.log(`dedup determinism: ${one.kept.length} kept, ${one.drops.length} dropped with 1, 2 and 4 consumers; partition state loads of the first group ${[one, two, four].map((o) => o.loads).join('/')}`);
  });
});

const paragraphs = () => hotpotParagraphs(70);

/** Near duplicates of documents the first run kept (each changed differently from the first run's variants). */
function secondRun(): Array<{ title: string; text: string }> {
  return paragraphs().slice(0, 12).filter((_, i) => i % 3 === 1).map((p) => ({ title: `${p.title} (revised)`, text: perturb(p.text, 0.3) }));
}

async function until(condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

/** A near-duplicate pair written to partitions 0 and 1, past the producer's routing. */
async function produceSplitPair(env: TestEnv): Promise<void> {
  const p = paragraphs()[65];
  const topic = env.topic('fw.ingest.raw');
  const raw = (text: string, id: string): RawDocument => ({ ...fixtureMeta('raw'), id, source_kind: 'jsonl', source_uri: `split_pair:${id}`, url: '', title: p.title, content_type: 'text/plain', body: text });
  const producer = env.kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    const records = [raw(p.text, 'split_pair_a'), raw(perturb(p.text, 0.5), 'split_pair_b')];
    await producer.send({ topic, messages: await Promise.all(records.map(async (r, partition) => ({ key: r.id, partition, value: await env.serde.encode('fw.RawDocument', r, topic) }))) });
  } finally {
    await producer.disconnect();
  }
}
