import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicCatalogue } from '../../services/platform/catalogue.ts';
import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { exportRound } from '../../services/export/export.ts';
import { readRoundRecords } from '../../services/rounds/read-round.ts';
import { closeRound, openRound } from '../../services/rounds/rounds.ts';
import type { RoundsContext } from '../../services/rounds/manifest.ts';
import { sampleValues } from '../fixtures/records.ts';
import { execChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const run = execChild;
const exampleDir = path.join(projectRoot, 'examples/python');
const python = path.join(exampleDir, '.venv/bin/python');
const DATASETS = ['fw.sft.trajectories', 'fw.rl.groups', 'fw.cpt.samples'] as const;

let env: TestEnv;
let ctx: RoundsContext;

/** Writes `values` in one Kafka transaction, committed or aborted (aborted records occupy offsets in the range). */
async function produceInTransaction<T extends TopicName>(topic: T, values: Array<TopicValues[T]>, outcome: 'commit' | 'abort'): Promise<void> {
  const spec = topicCatalogue().get(topic);
  const producer = env.kafka.producer({ transactionalId: `${env.prefix}py-${Math.random()}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    const messages = await Promise.all(values.map(async (v) => ({ key: String((v as unknown as Record<string, unknown>)[spec.key]), value: await env.serde.encode(spec.value, v, env.topic(topic)) })));
    await txn.send({ topic: env.topic(topic), messages });
    await (outcome === 'commit' ? txn.commit() : txn.abort());
  } finally {
    await producer.disconnect();
  }
}

function many<T extends TopicName>(topic: T, ids: string[]): Array<TopicValues[T]> {
  const sample = sampleValues()[topic];
  return ids.map((id, i) => ({ ...sample, id, ...(topic === 'fw.cpt.samples' ? { text: `cpt text ${i} ✓` } : {}) }) as TopicValues[T]);
}

beforeAll(async () => {
  await run('bash', [path.join(exampleDir, 'setup.sh')], { timeout: 300_000 }); // venv + confluent-kafka + fastavro
  env = new TestEnv();
  await env.createTopics();
  ctx = {
    kafka: env.cluster, names: env.names, serde: env.serde, catalogue: topicCatalogue(),
  };
  // round 1: records the round-2 job must not see
  await openRound(ctx, { model: 'policy-r1', env: env.env });
  await env.produce('fw.sft.trajectories', many('fw.sft.trajectories', ['r1-sft-a', 'r1-sft-b']));
  await env.produce('fw.cpt.samples', many('fw.cpt.samples', ['r1-cpt']));
  await closeRound(ctx);
  // round 2: committed and aborted transactions, and plain writes
  await openRound(ctx, { model: 'policy-r2', env: env.env });
  await produceInTransaction('fw.sft.trajectories', many('fw.sft.trajectories', ['sft-1', 'sft-2', 'sft-3']), 'commit');
  await produceInTransaction('fw.sft.trajectories', many('fw.sft.trajectories', ['aborted-1', 'aborted-2']), 'abort');
  await produceInTransaction('fw.rl.groups', many('fw.rl.groups', ['grp-1', 'grp-2']), 'commit');
  await env.produce('fw.cpt.samples', many('fw.cpt.samples', ['cpt-1', 'cpt-2', 'cpt-3']));
  await env.produce('fw.cpt.samples', many('fw.cpt.samples', ['cpt-1'])); // written twice: trained on once
  await closeRound(ctx);
  // written after the close: outside the round
  await env.produce('fw.cpt.samples', many('fw.cpt.samples', ['after-close']));
});

afterAll(async () => {
  await env?.cleanup();
});

describe('Python training job (confluent-kafka + fastavro)', () => {
  it("reads exactly the round's offset ranges: the same records as readRound and flywheel export, in the trainer's files", async () => {
    const out = fs.mkdtempSync(path.join(env.home, 'py-'));
    const dump = path.join(out, 'records.jsonl');
    const { stdout } = await run(python, [path.join(exampleDir, 'read_round.py'), '--round', '2', '--out', out, '--dump-records', dump], {
      env: { ...process.env, TOPIC_PREFIX: env.prefix, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') },
      timeout: 120_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ round: 2, model: 'policy-r2', records: { 'fw.sft.trajectories': 3, 'fw.rl.groups': 2, 'fw.cpt.samples': 3 }, duplicates_skipped: 1 });

    const fromPython = fs.readFileSync(dump, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { topic: string; partition: number; offset: number; value: unknown });
    for (const topic of DATASETS) {
      const seen = new Set<string>(); // first occurrence of every id, as flywheel export keeps
      const fromTypeScript = (await readRoundRecords(2, topic, ctx)).filter((r) => !seen.has(r.value.id) && seen.add(r.value.id));
      const python = fromPython.filter((r) => r.topic === topic).map(({ partition, offset, value }) => ({ partition, offset: String(offset), value }));
      expect(python, topic).toEqual(JSON.parse(JSON.stringify(fromTypeScript)));
    }
    const ids = fromPython.map((r) => (r.value as { id: string }).id).sort();
    expect(ids).toEqual(['cpt-1', 'cpt-2', 'cpt-3', 'grp-1', 'grp-2', 'sft-1', 'sft-2', 'sft-3']); // no aborted, round-1 or later records

    const chat = fs.readFileSync(path.join(out, 'sft.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(chat).toHaveLength(3);
    expect(chat[0].messages[1].tool_calls[0].function).toEqual({ name: 'search', arguments: JSON.stringify({ query: ['Ed Wood'] }) });
    expect(chat[0].messages.at(-1)).toEqual({ role: 'assistant', content: 'Ed Wood' });
    const cpt = fs.readFileSync(path.join(out, 'cpt.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(cpt.map((c) => c.text).sort()).toEqual(['cpt text 0 ✓', 'cpt text 1 ✓', 'cpt text 2 ✓']);
    // and the same records as `flywheel export` writes for the round
    const exported = path.join(out, 'export');
    await exportRound(ctx, { round: 2, format: 'cpt-jsonl', out: exported });
    await exportRound(ctx, { round: 2, format: 'openai-sft-jsonl', out: exported });
    const lines = (file: string) => fs.readFileSync(path.join(exported, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(cpt.map((c) => [c.id, c.text])).toEqual(lines('cpt.round-2.jsonl').map((c) => [c.id, c.text]));
    expect(chat.map((c) => c.id)).toEqual(lines('sft.round-2.jsonl').map((l) => l.metadata.source_id));
    const rl = fs.readFileSync(path.join(out, 'rl.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rl[0]).toMatchObject({ reward_model: { style: 'rule', ground_truth: 'Ed Wood' }, advantages: [1, -1], loss_mask: [true, false] });
  });
});
