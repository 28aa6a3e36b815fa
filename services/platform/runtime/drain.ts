import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';

export interface GroupInputs {
  groupId: string;
  topics: string[];
}

/**
 * Waits until every consumer group has consumed its input topics to the end and nothing moved for `quietMs`.
 * Transactions end with commit markers that no consumer ever receives, and a partition written by several
 * transactional producers can end in several of them, so offsets alone cannot tell "done" from "one record
 * left". In-process stages answer exactly (`idle`: no batch in progress, with offsets and ends unchanged for the
 * quiet period); for stages in other processes a committed offset one short of the end counts as caught up.
 */
export async function waitForDrain(
  admin: Admin,
  groups: GroupInputs[],
  options: {
    quietMs?: number;
    timeoutMs?: number;
    pollMs?: number;
    onPoll?: (lag: number) => void;
    /** In-process stages can say whether a batch is still being processed (RunningStage.idle). */
    idle?: () => boolean;
  } = {},
): Promise<void> {
  const quietMs = options.quietMs ?? 2000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let lastSnapshot = '';
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const { snapshot, caughtUp, lag } = await positions(admin, groups);
    options.onPoll?.(lag);
    if (snapshot !== lastSnapshot) {
      lastSnapshot = snapshot;
      stableSince = Date.now();
    } else if ((options.idle ? options.idle() : caughtUp) && Date.now() - stableSince >= quietMs) {
      return;
    }
    await sleep(options.pollMs ?? 250);
  }
  throw new Error(`consumer groups ${groups.map((g) => g.groupId).join(', ')} did not drain in time`);
}

async function positions(admin: Admin, groups: GroupInputs[]): Promise<{ snapshot: string; caughtUp: boolean; lag: number }> {
  const parts: string[] = [];
  let caughtUp = true;
  let lag = 0;
  for (const group of groups) {
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics });
    for (const topic of group.topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = new Map(committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      for (const p of ends) {
        const end = Number(p.high);
        const low = Number(p.low);
        const at = Math.max(done.get(p.partition) ?? -1, low);
        if (end - at > 1) caughtUp = false;
        lag += Math.max(0, end - at);
        parts.push(`${group.groupId}:${topic}:${p.partition}:${at}:${end}`);
      }
    }
  }
  return { snapshot: parts.join('|'), caughtUp, lag };
}
