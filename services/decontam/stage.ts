import { z } from 'zod';
import type { EvalSet } from '../platform/generated/records.ts';
import type { OutputRecord } from '../platform/runtime/stage.ts';
import type { FollowedTopic } from '../platform/kafka/follow.ts';
import { defineStage } from '../platform/runtime/stage.ts';
import { EvalIndex, defaultRules, type DecontamRules } from './eval-index.ts';
import { checkSubject, checkedTopics, dropDetail, verdictRecord, type Subject } from './subjects.ts';

export const decontamConfigSchema = z.object({
  DECONTAM_NGRAM: z.coerce.number().int().min(4).max(50).default(defaultRules.ngram),
  DECONTAM_MIN_NGRAM: z.coerce.number().int().min(2).max(50).default(defaultRules.minNgram),
  DECONTAM_MAX_ITEM_FREQUENCY: z.coerce.number().int().min(1).default(defaultRules.maxItemFrequency),
  DECONTAM_COVERAGE_NGRAM: z.coerce.number().int().min(2).max(50).default(defaultRules.coverageNgram),
  DECONTAM_COVERAGE_SHARE: z.coerce.number().gt(0).max(1).default(defaultRules.coverageShare),
  DECONTAM_MINHASH_THRESHOLD: z.coerce.number().gt(0).max(1).default(defaultRules.minhashThreshold),
}).refine((c) => c.DECONTAM_MIN_NGRAM <= c.DECONTAM_NGRAM, { message: 'must not exceed DECONTAM_NGRAM', path: ['DECONTAM_MIN_NGRAM'] });
export type DecontamConfig = z.infer<typeof decontamConfigSchema>;

export function rulesFrom(config: DecontamConfig): DecontamRules {
  return {
    ngram: config.DECONTAM_NGRAM,
    minNgram: config.DECONTAM_MIN_NGRAM,
    maxItemFrequency: config.DECONTAM_MAX_ITEM_FREQUENCY,
    coverageNgram: config.DECONTAM_COVERAGE_NGRAM,
    coverageShare: config.DECONTAM_COVERAGE_SHARE,
    minhashThreshold: config.DECONTAM_MINHASH_THRESHOLD,
  };
}

interface DecontamState {
  indexes: Map<string, EvalIndex>;
  tail?: FollowedTopic;
}

/**
 * The decontamination gate: every synthesized question, SFT trajectory and CPT sample, field by field, against
 * every registered evaluation set (fw.decontam.sets, followed live). A hard hit writes a verdict and a drop
 * `contaminated:<set>`; a review-tier hit writes a verdict only. Exports leave out every record with an open
 * verdict (see README: the gate is a side stream, so a set registered later still reaches records already written).
 */
export function createDecontamStage(deps: { sets?: EvalSet[] } = {}) {
  return defineStage<DecontamConfig, DecontamState, (typeof checkedTopics)[number]>({
    name: 'decontam',
    version: '1.0.0',
    description: 'Checks questions, judged rollouts and CPT samples against registered evaluation sets (13-gram, 8-gram 50% coverage, MinHash review tier).',
    inputs: checkedTopics,
    outputs: ['fw.decontam.verdicts', 'fw.drops'],
    config: decontamConfigSchema,
    async setup(ctx) {
      const rules = rulesFrom(ctx.config);
      const indexes = new Map<string, EvalIndex>();
      const load = (set: EvalSet) => {
        indexes.set(set.name, new EvalIndex(set, rules));
        ctx.logger.info({ set: set.name, items: set.items.length, hash: set.content_hash.slice(0, 12) }, 'evaluation set loaded');
      };
      if (deps.sets) {
        deps.sets.forEach(load); // unit tests: fixed sets instead of following the topic
        return { indexes };
      }
      const tail = await ctx.follow('fw.decontam.sets', { onValue: load, onTombstone: (name) => (name ? indexes.delete(name) : undefined) });
      return { indexes, tail };
    },
    async teardown(state) {
      await state?.tail?.close();
    },
    process(record, ctx) {
      const subject = { topic: record.topic, value: record.value } as Subject;
      const out: OutputRecord[] = [];
      const hits = ctx.counter('flywheel_decontam_hits_total', 'Decontamination hits by evaluation set, tier and rule', ['set', 'tier', 'rule']);
      for (const hit of checkSubject(ctx.state.indexes.values(), subject)) {
        hits.inc({ set: hit.set, tier: hit.tier, rule: hit.rule });
        out.push({ topic: 'fw.decontam.verdicts', value: verdictRecord(subject, hit, ctx.meta) });
        if (hit.tier === 'hard') out.push(ctx.drop(`contaminated:${hit.set}`, subject.value.id, dropDetail(hit), [subject.value.id]));
      }
      return out;
    },
  });
}

export const decontamStage = createDecontamStage();
