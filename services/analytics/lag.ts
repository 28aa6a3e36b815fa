import type { KafkaCluster } from '../platform/kafka/cluster.ts';
import type { Logger } from '../platform/logger.ts';
import type { RowWriter } from './sink.ts';
import { jsonRows } from './writer.ts';

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
export async function lagSnapshot(kafka: KafkaCluster, prefix: string, now = Date.now()): Promise<LagRow[]> {
  const mine = (await kafka.listGroups()).filter((id) => id.startsWith(prefix) && !id.startsWith('fw-reader-'));
  const positions = await kafka.groupPositions(mine.sort());
  return positions
    .filter((p) => p.topic.startsWith(prefix))
    .map((p) => {
      const [at, endOffset] = [Number(p.committed), Number(p.end)];
      // -1: nothing committed yet; a committed offset one short of the end can be a transaction marker
      const lag = at < 0 ? endOffset : Math.max(0, endOffset - at);
      return { at: now, group_id: p.groupId, topic: p.topic.slice(prefix.length), partition: p.partition, committed_offset: at, end_offset: endOffset, lag };
    });
}

/** Writes a lag snapshot every `everyMs`; failures are logged and the next tick tries again. */
export function startLagSnapshots(options: { kafka: KafkaCluster; prefix: string; writer: RowWriter; everyMs: number; logger: Logger }): { stop(): Promise<void>; tick(): Promise<number> } {
  let running: Promise<number> = Promise.resolve(0);
  const tick = () => {
    running = running
      .catch(() => 0)
      .then(async () => {
        const rows = await lagSnapshot(options.kafka, options.prefix);
        if (rows.length) await options.writer.insert('consumer_lag', jsonRows(rows));
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
