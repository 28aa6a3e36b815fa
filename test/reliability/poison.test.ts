import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValues } from '../fixtures/records.ts';
import { TestEnv } from '../support.ts';
import { cptIdOf, makeDocs } from './docs.ts';
import { printReport, StageProcess, stopStages, tally, type ReportRow } from './harness.ts';

/**
 * (c) 100 malformed, poison and oversized records mixed into the input of a running stage process: every
 * one must end up in fw.dlq with its reason and original position, and the good records must come out
 * exactly once, as if the bad ones had not been there.
 */
const rows: ReportRow[] = [];

describe('reliability: poison input', () => {
  const env = new TestEnv({ STAGE_MAX_BATCH: '50' });
  const groupId = `${env.prefix}fw.cpt-docs`;

  beforeAll(() => env.createTopics());
  afterAll(async () => {
    printReport('reliability: poison input', rows);
    await stopStages();
    await env.cleanup();
  });

  async function encodedDoc(doc: ReturnType<typeof makeDocs>[number]): Promise<Buffer> {
    return env.serde.encode('fw.Document', doc, env.topic('fw.docs'));
  }

  it('100 bad records go to fw.dlq with reasons; the good ones come out exactly once', async () => {
    const good = makeDocs('good', 0, 300);
    // big but valid documents (2 MB each) are not poison: they must pass
    const big = makeDocs('big', 0, 3).map((d) => ({ ...d, text: 'large document body. '.repeat(100_000) }));
    const valid = await encodedDoc(good[0]);
    const header = valid.subarray(0, 10); // C3 01 + the writer's 8-byte fingerprint
    const hugeLength = avro.Type.forSchema('long').toBuffer(2 ** 50); // a string claiming a petabyte
    const dropBytes = await env.serde.encode('fw.Drop', sampleValues()['fw.drops'], env.topic('fw.docs'));

    const bad: Array<{ kind: string; value: Buffer | null }> = [
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'garbage', value: Buffer.from(`not avro at all #${i}`) })),
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'truncated', value: valid.subarray(0, 12 + i) })),
      ...Array.from({ length: 20 }, () => ({ kind: 'wrong schema', value: dropBytes })),
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'oversized length', value: Buffer.concat([header, hugeLength, Buffer.alloc(i)]) })),
      ...Array.from({ length: 10 }, () => ({ kind: 'tombstone', value: null })),
    ];
    const emptyText = makeDocs('empty', 0, 10).map((d) => ({ ...d, text: '   ' }));

    // interleave: good, bad, good, … across several produce calls so bad records sit inside batches
    for (let i = 0; i < 10; i++) {
      const slice = (list: unknown[]) => list.filter((_, j) => j % 10 === i);
      await env.produce('fw.docs', [...(slice(good) as typeof good), ...(slice(emptyText) as typeof emptyText)], {
        raw: (slice(bad) as typeof bad).map((b) => b.value),
      });
    }
    await env.produce('fw.docs', big);

    const stage = new StageProcess('cpt-docs', env.env);
    await stage.joined();
    await env.drain([{ groupId, inputs: ['fw.docs'] }], 120_000);
    await stage.kill('SIGTERM');
    expect((await stage.exited).code).toBe(0);

    const output = await env.read('fw.cpt.samples');
    const expected = [...good, ...big].map(cptIdOf);
    const result = tally(expected, output.map((s) => s.id));
    const letters = await env.read('fw.dlq');
    rows.push({ fault: 'malformed/poison/oversized input', injected: bad.length + emptyText.length, ...result });

    expect(result.missing).toEqual([]);
    expect(result.duplicated).toBe(0);
    expect(result.recordsOut).toBe(expected.length);
    expect(letters).toHaveLength(bad.length + emptyText.length);
    for (const letter of letters) {
      expect(letter.stage).toBe('cpt-docs');
      expect(letter.original_topic).toBe(env.topic('fw.docs'));
      expect(letter.error_code).toMatch(/DECODE_FAILED|POISON_RECORD/);
      expect(letter.error_message.length).toBeGreaterThan(5);
    }
    const codes = letters.reduce<Record<string, number>>((acc, l) => ({ ...acc, [l.error_code]: (acc[l.error_code] ?? 0) + 1 }), {});
    // undecodable bytes are DECODE_FAILED; tombstones and blank documents are the stage's POISON_RECORD
    expect(codes).toEqual({ DECODE_FAILED: 80, POISON_RECORD: 20 });
    // each letter points at a distinct input position, and the original bytes are kept for a redrive
    expect(new Set(letters.map((l) => `${l.original_partition}@${l.original_offset}`)).size).toBe(letters.length);
    expect(letters.filter((l) => l.original_value === null)).toHaveLength(10);
    expect(stage.errors()).toEqual([]);
  }, 300_000);
});
