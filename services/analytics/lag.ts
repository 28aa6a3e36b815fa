import type { Admin } from 'kafkajs';
import type { Logger } from '../platform/logger.ts';
import type { RowWriter } from './sink.ts';

export type LagRow = {
  at: number;
  group_id: string;
  topic: string;
  partition: number;
  committed_offset: number;
  end_offset: number;
  lag: number;
};

/**
 * One snapshot of every consumer group of this deployment (groups and topics under TOPIC_PREFIX; throw-away
 * reader groups excluded): committed offset vs. partition end, from the Kafka admin API.
 */
export async function lagSnapshot(admin: Admin, prefix: string, now = Date.now()): Promise<LagRow[]> {
  const { groups } = await admin.listGroups();
  const mine = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix) && !id.startsWith('fw-reader-'));
  const ends = new Map<string, Map<number, number>>();
  const rows: LagRow[] = [];
  for (const groupId of mine.sort()) {
    const committed = await admin.fetchOffsets({ groupId });
    for (const { topic, partitions } of committed) {
      if (!topic.startsWith(prefix)) continue;
      let end = ends.get(topic);
      if (!end) {
        end = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
        ends.set(topic, end);
      }
      for (const p of partitions) {
        const endOffset = end.get(p.partition) ?? 0;
        const at = Number(p.offset);
        // -1: nothing committed yet; a committed offset one short of the end can be a transaction marker
        const lag = at < 0 ? endOffset : Math.max(0, endOffset - at);
        rows.push({ at: now, group_id: groupId, topic: topic.slice(prefix.length), partition: p.partition, committed_offset: at, end_offset: endOffset, lag });
      }
    }
  }
  return rows;
}

/** Writes a lag snapshot every `everyMs`; failures are logged and the next tick tries again. */
export function startLagSnapshots(options: { admin: Admin; prefix: string; writer: RowWriter; everyMs: number; logger: Logger }): { stop(): Promise<void>; tick(): Promise<number> } {
  let running: Promise<number> = Promise.resolve(0);
  const tick = () => {
    running = running
      .catch(() => 0)
      .then(async () => {
        const rows = await lagSnapshot(options.admin, options.prefix);
        if (rows.length) await options.writer.insert('consumer_lag', rows);
        return rows.length;
      });
    return running;
  };
  const timer = options.everyMs > 0
    ? setInterval(() => void tick().catch((err) => options.logger.warn({ err }, 'consumer lag snapshot failed')), options.everyMs).unref()
    : undefined;
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
