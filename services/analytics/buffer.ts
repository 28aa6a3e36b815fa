import { headersToStrings, type FailedMessage } from '../platform/runtime/dead-letter.ts';
import type { TableSpec } from './tables.ts';
import { JsonBytes, transcodeLine } from './transcode.ts';
import type { JsonRows } from './writer.ts';

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

/** Where a row's JSONEachRow line ends in its buffer's bytes, and the message it came from (turned into a SourceRecord only if rejected). */
export interface BufferedRow {
  end: number;
  topic: string;
  partition: number;
  message: ConsumedMessage;
}

export function sourceOf(row: BufferedRow): SourceRecord {
  const { topic, partition, message } = row;
  return { topic, partition, offset: message.offset, key: message.key ?? null, value: message.value, headers: headersToStrings(message.headers) };
}

/**
 * Rows of one table waiting for one ClickHouse insert, as JSONEachRow bytes, with the next offset to commit per
 * partition once the insert is acknowledged. Records that could not be decoded wait here too, as dead letters,
 * so they are sent before their offsets are committed.
 */
export class RowBuffer {
  /** The rows' lines, each ending with a newline: written by the sink, sent as they are. */
  json: JsonBytes;
  readonly rows: BufferedRow[] = [];
  readonly deadLetters: FailedMessage[] = [];
  /** Physical topic/partition → last offset buffered. */
  private readonly positions = new Map<string, SourcePosition>();
  private last?: SourcePosition;
  rowCount = 0;
  bytes = 0;
  readonly createdAt = Date.now();

  constructor(
    readonly table: string,
    json = new JsonBytes(),
    /** Takes the bytes back once they are written (the next buffer reuses them instead of growing anew). */
    private readonly recycle?: (json: JsonBytes) => void,
  ) {
    this.json = json;
  }

  /** Adds the row whose line was just written to `json`. */
  add(row: Omit<BufferedRow, 'end'>, bytes: number): void {
    (row as BufferedRow).end = this.json.pos;
    this.rows.push(row as BufferedRow);
    this.rowCount++;
    this.bytes += bytes;
    this.advance({ topic: row.topic, partition: row.partition, offset: row.message.offset });
  }

  /**
   * Adds a record's row: straight from its Avro body (`body` ≥ 0: written with the reader schema), or, for another
   * writer schema, another wire format or a record the transcoder refuses, rendered from `decode()` (which throws
   * for an undecodable record: nothing is added).
   */
  addRecord(table: Pick<TableSpec, 'transcoder' | 'mapping'>, row: Omit<BufferedRow, 'end'>, body: number, tail: string, decode: () => Record<string, unknown>): void {
    const value = row.message.value!;
    if (body < 0 || !transcodeLine(table.transcoder, value, body, this.json, tail)) this.json.text(`${table.mapping.toJson(decode(), tail)}\n`);
    this.add(row, value.length);
  }

  /** Rows `from` to `to` (exclusive) as one insert's payload. */
  range(from: number, to: number): JsonRows {
    return { length: to - from, bytes: this.json.buf.subarray(from ? this.rows[from - 1].end : 0, this.rows[to - 1].end) };
  }

  /** Drops the written rows (the counts stay): a retry resends only what is missing. */
  release(): void {
    this.rows.length = 0;
    this.recycle?.(this.json);
    this.json = new JsonBytes(0);
  }

  addDeadLetter(failed: FailedMessage): void {
    this.deadLetters.push(failed);
    this.bytes += failed.value?.length ?? 0;
    this.advance({ topic: failed.topic, partition: failed.partition, offset: failed.offset });
  }

  /** Records offsets without rows (tombstones of compacted topics): committed with the next flush. */
  advance(source: SourcePosition): void {
    // runs for every record: the partition of the previous record is looked up without building a key
    let position = this.last && this.last.topic === source.topic && this.last.partition === source.partition ? this.last : this.positions.get(`${source.topic}/${source.partition}`);
    if (!position) this.positions.set(`${source.topic}/${source.partition}`, (position = { ...source }));
    else if (isAfter(source.offset, position.offset)) position.offset = source.offset;
    this.last = position;
  }

  /** The offsets to commit once the rows are written: the next record of each partition. */
  commits(): SourcePosition[] {
    return [...this.positions.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: (BigInt(p.offset) + 1n).toString() }));
  }

  isEmpty(): boolean {
    return this.positions.size === 0;
  }

  isFull(limits: { rows: number; bytes: number }): boolean {
    return this.rowCount + this.deadLetters.length >= limits.rows || this.bytes >= limits.bytes;
  }
}

/** Kafka offsets are decimal strings without leading zeros: a longer one is larger. */
function isAfter(offset: string, than: string): boolean {
  return offset.length === than.length ? offset > than : offset.length > than.length;
}

/**
 * One filling buffer per table: a partition's records all land in one table, so each flush is one insert of a
 * full batch (a shared buffer got split at partition boundaries into a large insert and a tiny one, and every
 * insert carries a fixed cost in the engine). ANALYTICS_BATCH_BYTES bounds them together.
 */
export class TableBuffers {
  private readonly byTable = new Map<string, RowBuffer>();
  /** Bytes of written batches, reused: a batch's bytes grow to megabytes, and allocating them anew costs GC. */
  private readonly spare: JsonBytes[] = [];
  private readonly recycle = (json: JsonBytes) => {
    json.pos = 0;
    if (this.spare.length < 2) this.spare.push(json);
  };

  of(table: string): RowBuffer {
    let buffer = this.byTable.get(table);
    if (!buffer) this.byTable.set(table, (buffer = new RowBuffer(table, this.spare.pop() ?? new JsonBytes(), this.recycle)));
    return buffer;
  }

  /** Removes and returns the non-empty buffers of `table` (default: of every table). */
  take(table?: string): RowBuffer[] {
    const taken: RowBuffer[] = [];
    for (const name of table ? [table] : [...this.byTable.keys()]) {
      const buffer = this.byTable.get(name);
      if (!buffer || buffer.isEmpty()) continue;
      this.byTable.delete(name);
      taken.push(buffer);
    }
    return taken;
  }

  get rowCount(): number {
    let rows = 0;
    for (const buffer of this.byTable.values()) rows += buffer.rowCount;
    return rows;
  }

  get bytes(): number {
    let bytes = 0;
    for (const buffer of this.byTable.values()) bytes += buffer.bytes;
    return bytes;
  }

  /** When the oldest non-empty buffer got its first record, or undefined when all are empty. */
  oldest(): number | undefined {
    let oldest: number | undefined;
    for (const buffer of this.byTable.values()) if (!buffer.isEmpty()) oldest = Math.min(oldest ?? Infinity, buffer.createdAt);
    return oldest;
  }
}
