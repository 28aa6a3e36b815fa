import { setTimeout as sleep } from 'node:timers/promises';
import type { TopicNames } from '../platform/catalogue.ts';
import type { KafkaCluster } from '../platform/kafka/cluster.ts';
import { startStage, type RunningStage } from '../platform/runtime/runner.ts';
import { entitiesStage } from './entities-stage.ts';

const metric = async (running: RunningStage, name: string) => ((await running.metrics.registry.getSingleMetric(name)?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);

/**
 * Recomputes every entity from fw.memory.facts: the entities stage under a fresh consumer group, from the
 * first fact, without reloading state, until it has processed every committed fact; its records overwrite
 * each key of the compacted fw.memory.entities (ids are content hashes: an unchanged entity keeps its id).
 * Completion is counted in records, not offsets: fw.memory.facts is written by one transactional producer per
 * input partition, so a partition can end in several commit markers.
 */
export async function rebuildEntities(options: { kafka: KafkaCluster; names: TopicNames; env: NodeJS.ProcessEnv; onProgress?(done: number, total: number): void }): Promise<{ facts: number; seconds: number }> {
  const started = Date.now();
  const facts = (await options.kafka.readTopic(options.names.physical('fw.memory.facts'))).length;
  const groupId = options.names.physical(`fw.memory-entities-rebuild-${Date.now()}`);
  const running = await startStage(entitiesStage, { http: false, progressEveryMs: 0, groupId, env: { ...options.env, MEMORY_ENTITIES_RELOAD: 'false' } });
  try {
    for (;;) {
      const done = await metric(running, 'flywheel_records_in_total');
      options.onProgress?.(done, facts);
      if (done >= facts && (await metric(running, 'flywheel_in_flight_records')) === 0) break;
      await sleep(250);
    }
    await sleep(1000); // the last transaction commits after its records are processed
  } finally {
    await running.stop();
    await options.kafka.deleteGroups([groupId]).catch(() => undefined);
  }
  return { facts, seconds: (Date.now() - started) / 1000 };
}
