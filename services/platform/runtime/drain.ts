import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { readTopic } from '../kafka/tail.ts';

export interface GroupInputs {
  groupId: string;
  topics: string[];
}

interface Gap {
  topic: string;
  partition: number;
  at: bigint;
  end: bigint;
}

export interface DrainOptions {
  quietMs?: number;
  timeoutMs?: number;
  pollMs?: number;
  onPoll?: (lag: number) => void;
  /** In-process stages say exactly whether a batch is still being processed (RunningStage.idle). */
  idle?: () => boolean;
  /** With a client, the gaps left once positions are quiet are read to see whether they hold any record. */
  kafka?: Kafka;
}

/**
 * Waits until every consumer group has consumed its input topics to the end. Offsets alone cannot tell "done"
 * from "one record left": transactions end in commit markers no consumer ever receives (a partition written by
 * several transactional producers can end in several), and a slow stage sits one short of the end while it
 * works on its last record. So once positions and ends have stayed put for `quietMs`, the groups are drained
 * when in-process stages are idle, or (given `kafka`) when no remaining gap holds a committed record, or else
 * when no partition is more than one offset behind.
 */
export async function waitForDrain(admin: Admin, groups: GroupInputs[], options: DrainOptions = {}): Promise<void> {
  const quietMs = options.quietMs ?? 2000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let lastSnapshot = '';
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const gaps = await positions(admin, groups);
    const snapshot = gaps.map((g) => `${g.topic}/${g.partition}:${g.at}:${g.end}`).join('|');
    options.onPoll?.(gaps.reduce((s, g) => s + Number(g.end - g.at), 0));
    if (snapshot !== lastSnapshot) {
      lastSnapshot = snapshot;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs && (await drained(gaps, options))) {
      return;
    }
    await sleep(options.pollMs ?? 250);
  }
  throw new Error(`consumer groups ${groups.map((g) => g.groupId).join(', ')} did not drain in time`);
}

async function drained(gaps: Gap[], options: DrainOptions): Promise<boolean> {
  if (options.idle) return options.idle();
  if (options.kafka) return onlyMarkers(options.kafka, gaps);
  return gaps.every((g) => g.end - g.at <= 1n);
}

/** Partitions whose group position is behind the end offset. */
async function positions(admin: Admin, groups: GroupInputs[]): Promise<Gap[]> {
  const gaps: Gap[] = [];
  for (const group of groups) {
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics });
    for (const topic of group.topics) {
      const done = new Map(committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const low = BigInt(p.low);
        const position = done.get(p.partition) ?? -1n;
        const at = position > low ? position : low;
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
  for (const [topic, list] of byTopic) {
    const records = await readTopic(kafka, topic, {
      from: new Map(list.map((g) => [g.partition, g.at])),
      until: new Map(list.map((g) => [g.partition, g.end])),
    });
    if (records.length > 0) return false;
  }
  return true;
}
