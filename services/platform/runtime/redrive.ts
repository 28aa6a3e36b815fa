import type { Admin, Kafka } from 'kafkajs';
import type { Serde } from '../avro/serde.ts';
import type { TopicNames } from '../catalogue.ts';
import type { DeadLetter } from '../generated/records.ts';
import { readTopic } from '../kafka/tail.ts';
import { PartitionTransactor } from './transaction.ts';

export interface DeadLetterEntry {
  partition: number;
  offset: string;
  letter: DeadLetter;
}

export async function listDeadLetters(kafka: Kafka, names: TopicNames, serde: Serde, from?: Map<number, bigint>): Promise<DeadLetterEntry[]> {
  const topic = names.physical('fw.dlq');
  const messages = await readTopic(kafka, topic, { from });
  return Promise.all(
    messages.map(async (m) => ({ partition: m.partition, offset: m.offset, letter: await serde.decode<DeadLetter>(m.value!, 'fw.DeadLetter', topic) })),
  );
}

export interface RedriveResult {
  redriven: number;
  skipped: number;
  byTopic: Record<string, number>;
}

/**
 * Puts dead letters back on their original topics, once: the redrive group's offsets on fw.dlq are committed
 * in the same transaction as the re-produced records, so a second run (or a crash and rerun) never redrives
 * a letter twice. A filter gets its own group, so redriving one stage leaves the others' letters pending.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  admin: Admin,
  names: TopicNames,
  serde: Serde,
  filter: { stage?: string; code?: string; dryRun?: boolean } = {},
): Promise<RedriveResult> {
  const dlqTopic = names.physical('fw.dlq');
  const groupId = names.physical(`fw.dlq-redrive${filter.stage ? `.${filter.stage}` : ''}${filter.code ? `.${filter.code}` : ''}`);
  const committed = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
  const from = new Map((committed[0]?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, BigInt(p.offset)]));
  const entries = await listDeadLetters(kafka, names, serde, from);
  const result: RedriveResult = { redriven: 0, skipped: 0, byTopic: {} };
  const matches = (l: DeadLetter) => (!filter.stage || l.stage === filter.stage) && (!filter.code || l.error_code === filter.code);
  if (filter.dryRun) {
    for (const e of entries) matches(e.letter) ? result.redriven++ : result.skipped++;
    return result;
  }
  const byPartition = new Map<number, DeadLetterEntry[]>();
  for (const e of entries) byPartition.set(e.partition, [...(byPartition.get(e.partition) ?? []), e]);
  for (const [partition, list] of byPartition) {
    const transactor = new PartitionTransactor(kafka, `${groupId}-${partition}`);
    await transactor.connect();
    try {
      const messages = [];
      for (const { letter } of list) {
        if (!matches(letter) || !letter.original_value) {
          result.skipped++;
          continue;
        }
        messages.push({
          topic: letter.original_topic,
          key: letter.original_key ? letter.original_key.toString('utf8') : null,
          value: letter.original_value,
          headers: { ...letter.original_headers, 'fw-redriven-from': letter.id },
        });
        result.byTopic[letter.original_topic] = (result.byTopic[letter.original_topic] ?? 0) + 1;
        result.redriven++;
      }
      const last = list[list.length - 1];
      await transactor.commit({ messages, offsets: { groupId, topic: dlqTopic, partition, offset: (BigInt(last.offset) + 1n).toString() } });
    } finally {
      await transactor.disconnect();
    }
  }
  return result;
}
