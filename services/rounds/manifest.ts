import type { Serde } from '../platform/avro/serde.ts';
import type { TopicCatalogue, TopicNames } from '../platform/catalogue.ts';
import { FlywheelError } from '../platform/errors.ts';
import type { OffsetRange, RoundManifest } from '../platform/generated/records.ts';
import type { KafkaCluster } from '../platform/kafka/cluster.ts';
import { sha256, stableJson } from '../platform/records.ts';

/**
 * A round manifest (fw.RoundManifest on the compacted topic fw.rounds) names, for every catalogue topic and
 * partition, the half-open offset range [start, end) that the round produced. `start` is the previous round's
 * `end` (0 for the first round), so consecutive rounds tile each topic with no gap and no overlap. The record
 * key and id are `round_<n>`: `round open` writes the manifest with status "open" (start offsets only) and
 * `round close` overwrites it with status "closed" and the end offsets, so compaction keeps the final state.
 * Offsets are logical topic names (no TOPIC_PREFIX); a reader maps them to its deployment's physical names.
 */
export const ROUNDS_TOPIC = 'fw.rounds';

export class RoundStateError extends FlywheelError {
  constructor(message: string) {
    super('ROUND_STATE', message);
  }
}

/** What the rounds functions need from the CLI context (or a test). */
export interface RoundsContext {
  kafka: KafkaCluster;
  names: TopicNames;
  serde: Serde;
  catalogue: TopicCatalogue;
}

export function manifestId(round: number): string {
  return `round_${round}`;
}

/** Every manifest on fw.rounds, latest state per round, ordered by round. */
export async function readManifests(ctx: Pick<RoundsContext, 'kafka' | 'names' | 'serde'>): Promise<RoundManifest[]> {
  const topic = ctx.names.physical(ROUNDS_TOPIC);
  const messages = await ctx.kafka.readTopic(topic);
  const latest = new Map<number, RoundManifest>();
  for (const m of messages) {
    if (!m.value) continue; // tombstone
    const manifest = await ctx.serde.decode<RoundManifest>(m.value, 'fw.RoundManifest', topic);
    latest.set(manifest.round, manifest);
  }
  return [...latest.values()].sort((a, b) => a.round - b.round);
}

/** The closed manifest of `round`, or a RoundStateError saying why it cannot be read. */
export async function closedManifest(ctx: Pick<RoundsContext, 'kafka' | 'names' | 'serde'>, round: number): Promise<RoundManifest> {
  const manifest = (await readManifests(ctx)).find((m) => m.round === round);
  if (!manifest) throw new RoundStateError(`round ${round} has no manifest on ${ROUNDS_TOPIC} (run \`flywheel round open\`/\`close\`)`);
  if (manifest.status !== 'closed') throw new RoundStateError(`round ${round} is still ${manifest.status}: close it before reading its data`);
  return manifest;
}

/** The ranges of one topic in a manifest, as reader bounds (start inclusive, end exclusive). */
export function topicBounds(manifest: RoundManifest, topic: string): { from: Map<number, bigint>; until: Map<number, bigint> } {
  const ranges = manifest.ranges.filter((r) => r.topic === topic);
  return {
    from: new Map(ranges.map((r) => [r.partition, BigInt(r.start)])),
    until: new Map(ranges.map((r) => [r.partition, BigInt(r.end)])),
  };
}

/** Records per topic in a manifest (sum of end − start); aborted transactional records and markers included. */
export function rangeSizes(manifest: RoundManifest): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const r of manifest.ranges) sizes.set(r.topic, (sizes.get(r.topic) ?? 0) + (r.end - r.start));
  return sizes;
}

/**
 * Ranges of the next round: each partition starts where `previous` ended (0 when there is no previous round
 * or the partition is new) and ends at `ends` (or at its start when `ends` is not given: a just-opened round).
 */
export function nextRanges(previous: OffsetRange[] | undefined, partitions: Map<string, Map<number, number>>, ends?: Map<string, Map<number, number>>): OffsetRange[] {
  const prevEnd = new Map((previous ?? []).map((r) => [`${r.topic}/${r.partition}`, r.end]));
  const ranges: OffsetRange[] = [];
  for (const [topic, parts] of [...partitions].sort(([a], [b]) => a.localeCompare(b))) {
    for (const partition of [...parts.keys()].sort((a, b) => a - b)) {
      const start = prevEnd.get(`${topic}/${partition}`) ?? 0;
      const end = ends?.get(topic)?.get(partition) ?? start;
      if (end < start) throw new RoundStateError(`${topic}/${partition} ends at ${end}, before the round's start ${start} (was the topic recreated?)`);
      ranges.push({ topic, partition, start, end });
    }
  }
  return ranges;
}

/** End offsets (high watermarks) of every catalogue topic except fw.rounds, by logical topic name. */
export async function snapshotEndOffsets(ctx: RoundsContext): Promise<Map<string, Map<number, number>>> {
  const specs = ctx.catalogue.all().filter((spec) => spec.name !== ROUNDS_TOPIC);
  const offsets = await ctx.kafka.offsetsOf(specs.map((spec) => ctx.names.physical(spec.name)));
  const result = new Map<string, Map<number, number>>();
  for (const spec of specs) {
    const partitions = offsets.get(ctx.names.physical(spec.name));
    if (partitions) result.set(spec.name, new Map(partitions.map((p) => [p.partition, Number(p.high)])));
  }
  return result;
}

const SECRET = /PASSWORD|SECRET|TOKEN|API_KEY|CREDENTIAL/i;
const NOT_CONFIG = /^(TOPIC_PREFIX|FLYWHEEL_HOME|HTTP_PORT|INSTANCE_ID|LOG_LEVEL|KAFKA_|CLICKHOUSE_|SCHEMA_REGISTRY_)/;

/**
 * Hash of the settings that shape a round's data: every variable a stage's config declares or that starts
 * with LLM_ / ROLLOUT_ / HAS_ / FAS_ / MEMORY_ / INGEST_ / RECYCLE_ / CPT_, minus secrets and plumbing.
 */
export function configHash(env: NodeJS.ProcessEnv, stageVariables: Iterable<string>): { hash: string; variables: Record<string, string> } {
  const declared = new Set(stageVariables);
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || SECRET.test(key) || NOT_CONFIG.test(key)) continue;
    if (declared.has(key) || /^(LLM|ROLLOUT|HAS|FAS|MEMORY|INGEST|RECYCLE|CPT|STAGE)_/.test(key)) variables[key] = value;
  }
  return { hash: sha256(stableJson(variables)).slice(0, 16), variables };
}
