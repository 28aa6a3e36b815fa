import { headersToStrings, type FailedMessage } from '../platform/runtime/dead-letter.ts';

/** The Kafka position a buffered row came from. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The Kafka record behind a row: kept until the row is written, so a row ClickHouse rejects can be dead-lettered. */
export type SourceRecord = Omit<FailedMessage, 'error' | 'attempts' | 'stage'>;

/** The parts of a consumed Kafka message the sink keeps (structurally kafkajs' KafkaMessage). */
export interface ConsumedMessage {
  offset: string;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, unknown>;
}

/** A row as its JSONEachRow line, and the message it came from (turned into a SourceRecord only if rejected). */
export interface BufferedRow {
  line: string;
  topic: string;
  partition: number;
  message: ConsumedMessage;
}

export function sourceOf(row: BufferedRow): SourceRecord {
  const { topic, partition, message } = row;
  return { topic, partition, offset: message.offset, key: message.key ?? null, value: message.value, headers: headersToStrings(message.headers) };
}

/**
 * Rows waiting for one ClickHouse insert per table, with the next offset to commit per partition once the
 * inserts are acknowledged. Records that could not be decoded wait here too, as dead letters, so they are
 * sent before their offsets are committed.
 */
export class RowBuffer {
  readonly rows = new Map<string, BufferedRow[]>();
  readonly deadLetters: FailedMessage[] = [];
  /** Physical topic/partition → offset to commit (last buffered + 1). */
  readonly commits = new Map<string, { topic: string; partition: number; offset: string }>();
  rowCount = 0;
  bytes = 0;
  readonly createdAt = Date.now();

  add(table: string, row: BufferedRow, bytes: number): void {
    let list = this.rows.get(table);
    if (!list) this.rows.set(table, (list = []));
    list.push(row);
    this.rowCount++;
    this.bytes += bytes;
    this.advance({ topic: row.topic, partition: row.partition, offset: row.message.offset });
  }

  addDeadLetter(failed: FailedMessage): void {
    this.deadLetters.push(failed);
    this.bytes += failed.value?.length ?? 0;
    this.advance({ topic: failed.topic, partition: failed.partition, offset: failed.offset });
  }

  /** Records offsets without rows (tombstones of compacted topics): committed with the next flush. */
  advance(source: SourcePosition): void {
    const next = (BigInt(source.offset) + 1n).toString();
    const key = `${source.topic}/${source.partition}`;
    const previous = this.commits.get(key);
    if (!previous || BigInt(previous.offset) < BigInt(next)) this.commits.set(key, { topic: source.topic, partition: source.partition, offset: next });
  }

  isEmpty(): boolean {
    return this.commits.size === 0;
  }

  isFull(limits: { rows: number; bytes: number }): boolean {
    return this.rowCount + this.deadLetters.length >= limits.rows || this.bytes >= limits.bytes;
  }
}
