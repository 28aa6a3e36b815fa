import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { readTopic } from '../platform/kafka/reader.ts';

export interface GroupTopics {
  groupId: string;
  topics: string[];
}

interface Gap {
  topic: string;
  partition: number;
  at: bigint;
  end: bigint;
}

/**
 * Waits until consumer groups have nothing left to do. Transaction markers occupy offsets that no consumer
 * ever receives, and a partition can end in several of them, so an offset gap alone does not mean work
 * remains; and a slow stage (a rollout) leaves its position one short of the end while it works on the last
 * record, so a one-offset gap does not mean it is done either. Once positions have stayed put for `quietMs`,
 * every remaining gap is read (read_committed): the groups are idle when no gap holds a record.
 */
export async function waitForIdle(
  admin: Admin,
  kafka: Kafka,
  groups: GroupTopics[],
  options: { quietMs?: number; timeoutMs?: number; pollMs?: number; onPoll?: (lag: number) => void } = {},
): Promise<void> {
  const quietMs = options.quietMs ?? 2000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let last = '';
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const gaps = await positions(admin, groups);
    const snapshot = gaps.map((g) => `${g.topic}/${g.partition}:${g.at}:${g.end}`).join('|');
    options.onPoll?.(gaps.reduce((s, g) => s + Number(g.end - g.at), 0));
    if (snapshot !== last) {
      last = snapshot;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs && (await onlyMarkers(kafka, gaps))) {
      return;
    }
    await sleep(options.pollMs ?? 300);
  }
  throw new Error(`consumer groups ${groups.map((g) => g.groupId).join(', ')} did not finish in time`);
}

/** Partitions whose group position is behind the end offset. */
async function positions(admin: Admin, groups: GroupTopics[]): Promise<Gap[]> {
  const gaps: Gap[] = [];
  for (const group of groups) {
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics });
    for (const topic of group.topics) {
      const done = new Map(committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const low = BigInt(p.low);
        const at = (done.get(p.partition) ?? -1n) > low ? done.get(p.partition)! : low;
        const end = BigInt(p.high);
        if (end > at) gaps.push({ topic, partition: p.partition, at, end });
      }
    }
  }
  return gaps;
}

async function onlyMarkers(kafka: Kafka, gaps: Gap[]): Promise<boolean> {
  const byTopic = new Map<string, Gap[]>();
  for (const g of gaps) byTopic.set(g.topic, [...(byTopic.get(g.topic) ?? []), g]);
  const found = await Promise.all(
    [...byTopic].map(async ([topic, list]) => {
      const records = await readTopic(kafka, topic, {
        from: new Map(list.map((g) => [g.partition, g.at])),
        until: new Map(list.map((g) => [g.partition, g.end])),
        idleMs: 800,
      });
      return records.length;
    }),
  );
  return found.every((n) => n === 0);
}
