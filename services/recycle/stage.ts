import { z } from 'zod';
import type { ToolCall, Trajectory } from '../platform/generated/records.ts';
import { defineStage, type InputRecord, type OutputRecord, type StageContext } from '../platform/runtime/stage.ts';
import { discardedTrajectoryText, toolRecordText } from './render.ts';

const config = z.object({
  /** Tool responses shorter than this (empty pages, "no results") carry nothing worth pre-training on. */
  RECYCLE_MIN_RESPONSE_CHARS: z.coerce.number().int().min(0).default(80),
  RECYCLE_MAX_RESPONSE_CHARS: z.coerce.number().int().min(100).default(8000),
  RECYCLE_TOOL_RECORDS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});
type Config = z.infer<typeof config>;

/**
 * What post-training threw away becomes CPT text of the *next* round (AgentFounder's corpus includes
 * "discarded trajectories from previous post-training iterations" and "historical tool-call records").
 * Every sample has round = source round + 1 and source_round = the source's round, and its origin says
 * which kind it is. Run it at the start of a round (the demo does): it then recycles everything earlier
 * rounds discarded into the new round's offset range. Identical tool results (the same search run by
 * several rollouts) get the same id, so exports and ClickHouse count them once.
 */
export const recycleStage = defineStage<Config, undefined, 'fw.trajectories.discarded' | 'fw.tool.calls'>({
  name: 'recycle',
  version: '1.0.0',
  description: 'Turns discarded trajectories and tool-call records into next-round CPT samples (→ fw.cpt.samples).',
  inputs: ['fw.trajectories.discarded', 'fw.tool.calls'],
  outputs: ['fw.cpt.samples'],
  config,
  process(record, ctx) {
    if (record.topic === 'fw.tool.calls') return recycleToolCall((record as InputRecord<'fw.tool.calls'>).value, ctx);
    return recycleTrajectory((record as InputRecord<'fw.trajectories.discarded'>).value, ctx);
  },
});

function recycleTrajectory(t: Trajectory, ctx: StageContext<Config, undefined>): OutputRecord[] {
  if (t.steps.length === 0) return [ctx.drop('empty_trajectory', t.id, t.termination)];
  // a re-scored copy (round rescore) of a trajectory whose rollout round already recycled or kept it
  if (t.producer.service === 'rescore') return [ctx.drop('rescored_copy', t.id, t.parent_ids[0] ?? '')];
  return [recycled(ctx, 'discarded_trajectory', [t.id], discardedTrajectoryText(t), t.round, [t.id])];
}

function recycleToolCall(call: ToolCall, ctx: StageContext<Config, undefined>): OutputRecord[] {
  if (!ctx.config.RECYCLE_TOOL_RECORDS) return [ctx.drop('tool_records_disabled', call.id)];
  if (call.error) return [ctx.drop('tool_error', call.id, call.error.slice(0, 200))];
  if (call.response.trim().length < ctx.config.RECYCLE_MIN_RESPONSE_CHARS) return [ctx.drop('tool_response_too_short', call.id, `${call.response.length} chars`)];
  const text = toolRecordText(call, ctx.config.RECYCLE_MAX_RESPONSE_CHARS);
  return [recycled(ctx, 'tool_record', [call.tool, call.arguments_json, call.response], text, call.round, [call.id])];
}

/** What round N threw away is CPT material of round N + 1. */
function recycled(ctx: StageContext<Config, undefined>, origin: string, key: unknown[], text: string, sourceRound: number, parents: string[]): OutputRecord {
  return ctx.cpt({ origin, text, key, parents, sourceRound, round: sourceRound + 1 });
}
