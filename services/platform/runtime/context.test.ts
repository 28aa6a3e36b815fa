import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SingleObjectSerde } from '../avro/serde.ts';
import { loadPlatformConfig } from '../config.ts';
import { contentId } from '../records.ts';
import { createStageContext } from './context.ts';
import { StageMetrics } from './metrics.ts';
import { defineStage } from './stage.ts';

const stage = defineStage({ name: 'ctx-test', version: '2.0.0', description: 'test', inputs: ['fw.docs'], outputs: ['fw.cpt.samples'], process: () => [] });

describe('stage context record helpers', () => {
  const platform = loadPlatformConfig({ FLYWHEEL_ROUND: '3', INSTANCE_ID: 'i-1' });
  const ctx = createStageContext({ stage, env: {}, platform, config: {}, logger: pino({ level: 'silent' }), metrics: new StageMetrics(), signal: new AbortController().signal, now: () => 1234 });
  const producer = { service: 'ctx-test', version: '2.0.0', instance: 'i-1' };
  const serde = new SingleObjectSerde();

  it('cpt(): a valid fw.CptSample with a deterministic id and lineage', () => {
    const sample = ctx.cpt({ origin: 'document', text: 'abcdefghi', key: ['doc_1'], parents: ['doc_1', 'doc_1'], sourceRound: 2 });
    expect(sample).toEqual({
      topic: 'fw.cpt.samples',
      value: { id: contentId('cpt', 'document', 'doc_1'), round: 3, parent_ids: ['doc_1'], producer, created_at: 1234, origin: 'document', text: 'abcdefghi', source_round: 2, approx_tokens: 3 },
    });
    expect(ctx.cpt({ origin: 'recycled', text: 'x', key: [], parents: [], round: 4 }).value).toMatchObject({ round: 4, source_round: 3 });
    expect(() => serde.encodeSync('fw.CptSample', sample.value)).not.toThrow();
  });

  it('drop(): a valid fw.Drop naming the stage and the reason', () => {
    const drop = ctx.drop('too_short', 'doc_2', '3 chars');
    expect(drop).toEqual({
      topic: 'fw.drops',
      value: { id: contentId('drop', 'ctx-test', 'too_short', 'doc_2'), round: 3, parent_ids: ['doc_2'], producer, created_at: 1234, stage: 'ctx-test', reason: 'too_short', subject_id: 'doc_2', detail: '3 chars' },
    });
    expect(() => serde.encodeSync('fw.Drop', drop.value)).not.toThrow();
  });
});
