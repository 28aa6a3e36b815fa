import type { RoundManifest } from '../platform/generated/records.ts';
import { recordMeta } from '../platform/records.ts';
import { configHash, manifestId, nextRanges, readManifests, RoundStateError, ROUNDS_TOPIC, snapshotEndOffsets, type RoundsContext } from './manifest.ts';

const producerInfo = { service: 'rounds', version: '1.0.0', instance: '' };

export interface OpenRoundOptions {
  model: string;
  modelVersion?: string;
  endpoint?: string;
  /** Model and endpoint per stage strategy that uses an LLM (the CLI passes llmPlan's), recorded as stage_models. */
  stageModels?: Record<string, string>;
  /** The environment the round's stages run with (its settings are hashed into the manifest). */
  env: NodeJS.ProcessEnv;
  /** The stages' own variables, hashed into the manifest's config_hash (the CLI passes stageConfigVariables()). */
  configVariables?: readonly string[];
  now?: number;
  /** A derived round (round rescore): the round it was made from and how. */
  derivedFrom?: { round: number; derivation: string; configHash: string };
}

/**
 * Opens the next round: its ranges start where the last closed round ended. Fails while a round is open, so
 * two rounds never claim the same offsets.
 */
export async function openRound(ctx: RoundsContext, options: OpenRoundOptions): Promise<RoundManifest> {
  const manifests = await readManifests(ctx);
  const last = manifests.at(-1);
  if (last?.status === 'open') throw new RoundStateError(`round ${last.round} is still open: run \`flywheel round close\` first`);
  const round = (last?.round ?? 0) + 1;
  const partitions = await snapshotEndOffsets(ctx);
  const now = options.now ?? Date.now();
  const manifest: RoundManifest = {
    ...recordMeta({ id: manifestId(round), round, producer: producerInfo, parents: last ? [last.id] : [], now }),
    status: 'open',
    model: options.model,
    model_version: options.modelVersion ?? `r${round}`,
    policy_endpoint: options.endpoint ?? '',
    stage_models: options.stageModels ?? {},
    // a derived round ran no stage: its data comes from the parent round's settings and the derivation
    config_hash: options.derivedFrom?.configHash ?? configHash(options.env, options.configVariables ?? []).hash,
    opened_at: now,
    closed_at: null,
    ranges: nextRanges(last?.ranges, partitions),
    parent_round: options.derivedFrom?.round ?? null,
    derivation: options.derivedFrom?.derivation ?? '',
  };
  await writeManifest(ctx, manifest);
  return manifest;
}

/** Closes the open round: snapshots the end offset of every partition of every catalogue topic. */
export async function closeRound(ctx: RoundsContext, options: { now?: number } = {}): Promise<RoundManifest> {
  const manifests = await readManifests(ctx);
  const current = manifests.at(-1);
  if (!current || current.status !== 'open') {
    throw new RoundStateError(current ? `round ${current.round} is already closed: open the next one first` : 'no round is open: run `flywheel round open --model <name>` first');
  }
  const ends = await snapshotEndOffsets(ctx);
  const previous = manifests.find((m) => m.round === current.round - 1);
  // a partition missing from the open manifest (topic created later) starts where the previous round ended, or 0
  const starts = new Map(current.ranges.map((r) => [`${r.topic}/${r.partition}`, r.start]));
  const ranges = nextRanges(previous?.ranges, ends, ends).map((r) => {
    const start = starts.get(`${r.topic}/${r.partition}`) ?? r.start;
    if (r.end < start) throw new RoundStateError(`${r.topic}/${r.partition} ends at ${r.end}, before the round's start ${start}`);
    return { ...r, start };
  });
  const now = options.now ?? Date.now();
  const closed: RoundManifest = { ...current, created_at: now, status: 'closed', closed_at: now, ranges };
  await writeManifest(ctx, closed);
  return closed;
}

/** The round new records belong to: the open round, else the one after the last closed round. */
export async function currentRound(ctx: RoundsContext): Promise<number> {
  const last = (await readManifests(ctx)).at(-1);
  if (!last) return 1;
  return last.status === 'open' ? last.round : last.round + 1;
}

async function writeManifest(ctx: RoundsContext, manifest: RoundManifest): Promise<void> {
  const topic = ctx.names.physical(ROUNDS_TOPIC);
  const producer = ctx.kafka.producer();
  try {
    await producer.send([{ topic, records: [{ key: manifest.id, value: await ctx.serde.encode('fw.RoundManifest', manifest, topic) }] }]);
  } finally {
    await producer.close();
  }
}

export { readManifests, RoundStateError };
