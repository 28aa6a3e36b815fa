import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { TopicCatalogue, TopicNames, TopicSpec } from '../catalogue.ts';

export function topicConfigEntries(spec: TopicSpec): Array<{ name: string; value: string }> {
  const entries: Array<{ name: string; value: string }> = [{ name: 'cleanup.policy', value: spec.cleanupPolicy }];
  if (spec.cleanupPolicy === 'delete') entries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  // as in the Strimzi topics (scripts/k8s): a transaction commits once all but one replica have it
  if (spec.replicationFactor > 1) entries.push({ name: 'min.insync.replicas', value: String(spec.replicationFactor - 1) });
  return entries;
}

/**
 * Creates every catalogue topic that does not exist yet; returns the names it created. `replicationFactor`
 * (TOPIC_REPLICATION_FACTOR) replaces the catalogue's, e.g. 3 on a local three-broker cluster.
 */
export async function ensureTopics(admin: Admin, catalogue: TopicCatalogue, names: TopicNames, only?: string[], replicationFactor?: number): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const wanted = catalogue.all().filter((t) => !only || only.includes(t.name));
  const missing = wanted.filter((t) => !existing.has(names.physical(t.name)));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: false, // kafkajs gives up on UNKNOWN_TOPIC_OR_PARTITION while metadata propagates; we poll below
    topics: missing
      .map((spec) => ({ ...spec, replicationFactor: replicationFactor ?? spec.replicationFactor }))
      .map((spec) => ({
        topic: names.physical(spec.name),
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: topicConfigEntries(spec),
      })),
  });
  const created = missing.map((t) => names.physical(t.name));
  await waitForLeaders(admin, created);
  return created;
}

/** CreateTopics returns before every partition leader is known to every connection: wait until offsets answer. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }
}
