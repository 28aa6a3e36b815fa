import type { Entity } from '../platform/generated/records.ts';
import { contentId, recordMeta } from '../platform/records.ts';
import type { IngestContext } from '../ingest/ingest-paths.ts';
import { resolveSnapshot } from './resolve/snapshot.ts';
import { sampleClusters, type SampleOptions } from './sample.ts';

export interface SampleSummary {
  entities: number;
  /** Entities folded into another by snapshot-level entity resolution ("Huber" into "Liezel Huber"). */
  merged_mentions: number;
  clusters: number;
  random_walk: number;
  subtable: number;
  topic: string;
}

/** The latest state of every entity: fw.memory.entities read to its end (read_committed), last record per key wins. */
export async function readEntitySnapshot(ctx: Pick<IngestContext, 'kafka' | 'names' | 'serde'>): Promise<Entity[]> {
  const topic = ctx.names.physical('fw.memory.entities');
  const latest = new Map<string, Entity>();
  for (const m of await ctx.kafka.readTopic(topic)) {
    if (!m.value) continue;
    const entity = await ctx.serde.decode<Entity>(m.value, 'fw.Entity', topic);
    const previous = latest.get(entity.entity_id);
    if (!previous || entity.version >= previous.version) latest.set(entity.entity_id, entity);
  }
  return [...latest.values()];
}

/**
 * Cluster sampling is a command over a snapshot of the memory, not a side effect of each entity update: a
 * snapshot plus a seed gives the same clusters every time (cluster ids are content hashes, so a rerun writes
 * nothing new to analytics), and an operator decides when the memory is dense enough to sample — typically
 * once per round, after ingest and memory have drained. Clusters go to fw.memory.clusters for the fas stage.
 */
export async function sampleAndPublish(ctx: IngestContext, options: Partial<SampleOptions> = {}): Promise<SampleSummary> {
  const { entities: snapshot, merges } = resolveSnapshot(await readEntitySnapshot(ctx));
  const byId = new Map(snapshot.map((e) => [e.entity_id, e]));
  const bodies = sampleClusters(snapshot, options);
  const topic = ctx.names.physical('fw.memory.clusters');
  const producer = ctx.kafka.producer();
  try {
    const records = await Promise.all(
      bodies.map(async (body) => {
        const id = contentId('cluster', body.kind, body.shared_attribute, body.entities.map((e) => e.entity_id), body.edges);
        const parents = body.entities.map((e) => byId.get(e.entity_id)!.id);
        const value = {
          ...recordMeta({ id, round: ctx.config.FLYWHEEL_ROUND, producer: { service: 'memory-sample', version: '1.0.0', instance: ctx.config.INSTANCE_ID }, parents }),
          ...body,
        };
        return { key: id, value: await ctx.serde.encode('fw.Cluster', value, topic) };
      }),
    );
    for (let i = 0; i < records.length; i += 200) await producer.send([{ topic, records: records.slice(i, i + 200) }]);
  } finally {
    await producer.close();
  }
  return {
    entities: snapshot.length,
    merged_mentions: merges.length,
    clusters: bodies.length,
    random_walk: bodies.filter((b) => b.kind === 'random_walk').length,
    subtable: bodies.filter((b) => b.kind === 'subtable').length,
    topic,
  };
}
