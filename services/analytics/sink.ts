import { setTimeout as sleep } from 'node:timers/promises';
import type { Serde } from '../platform/avro/serde.ts';
import type { TopicCatalogue, TopicNames } from '../platform/catalogue.ts';
import { errorMessage, PoisonRecordError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { KafkaClient } from '../platform/kafka/client.ts';
import { headersToStrings } from '../platform/runtime/dead-letter.ts';
import { DeadLetterEncoder, DeadLetterProducer } from '../platform/runtime/dead-letters.ts';
import type { StageMetrics } from '../platform/runtime/metrics.ts';
import { PartitionInput, type InputBatch } from '../platform/runtime/partition-input.ts';
import type { ProgressReporter } from '../platform/runtime/progress.ts';
import { sourceOf, TableBuffers, type RowBuffer, type SourceRecord } from './buffer.ts';
import type { AnalyticsConfig } from './config.ts';
import { tableForTopic, type TableSpec } from './tables.ts';
import { isDataRejection, RowRejectedError, type RowWriter } from './writer.ts';

export { clickHouseWriter, RowRejectedError, type RowWriter } from './writer.ts';

export const SINK_STAGE = 'analytics';

/** The sink consumer's fetch sizes (bench/analytics.ts measures a bare consumer with the same). */
export const SINK_FETCH = { maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024 };

export interface SinkOptions {
  kafka: KafkaClient;
  writer: RowWriter;
  names: TopicNames;
  catalogue: TopicCatalogue;
  serde: Serde;
  tables: TableSpec[];
  config: AnalyticsConfig;
  groupId: string;
  logger: Logger;
  metrics: StageMetrics;
  progress: ProgressReporter;
  /** Called when the consumer crashed beyond kafkajs' own restarts. */
  onFatal?: () => void;
}

/**
 * Consumes every catalogue topic and writes each record as a typed row. At-least-once into ClickHouse,
 * exactly-once in the views: offsets are committed only after ClickHouse acknowledged the rows, and a row
 * delivered again replaces its copy (ReplacingMergeTree keyed by record id). While ClickHouse is down the
 * buffer fills, consumption stops, and the sink retries with backoff: it lags, then catches up.
 */
export class AnalyticsSink {
  private readonly input: PartitionInput;
  private readonly deadLetters: DeadLetterProducer;
  private readonly buffers = new TableBuffers();
  /** The last queued batch's insert: the next batch's insert starts after it. */
  private writing: Promise<void> = Promise.resolve();
  /** The last queued batch's offset commit (after its own insert and the previous commit): all queued is done. */
  private flushing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopping = false;
  /** Batches handed to the writer and not yet written and committed. */
  private pendingWrites = 0;
  private pendingRows = 0;
  /** True while an insert keeps failing: readiness reports it. */
  degraded = false;

  constructor(private readonly options: SinkOptions) {
    this.input = new PartitionInput(options.kafka, {
      groupId: options.groupId,
      topics: this.inputs().map((t) => options.names.physical(t)),
      partitionsConcurrently: 1,
      logger: options.logger,
      ...SINK_FETCH,
      // liveness fails and the service stops: the orchestrator restarts it
      onFatal: () => options.onFatal?.(),
    });
    this.deadLetters = new DeadLetterProducer(options.kafka, new DeadLetterEncoder(options.serde, options.names, options.metrics, options.logger));
  }

  /** Member of the group with an assignment. */
  get joined(): boolean {
    return this.input.ready();
  }

  /** performance.now() of the last join: consumption starts right after it (what bench/analytics.ts times from). */
  get joinedAt(): number | undefined {
    return this.input.joinedAt;
  }

  /** The consumer stopped for good (kafkajs gave up restarting it). */
  get crashed(): boolean {
    return this.input.failed();
  }

  /** Rows held in memory: the batch being filled plus batches waiting to be written. */
  bufferedRows(): number {
    return this.buffers.rowCount + this.pendingRows;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  inputs(): string[] {
    return this.options.catalogue.all().map((t) => t.name);
  }

  async start(): Promise<void> {
    await this.input.start((batch) => this.handleBatch(batch));
  }

  /** Writes what is buffered, commits it, and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.timer);
    // commit while still in the group (a stopped kafkajs consumer can no longer commit)
    await this.flush().catch((err) => this.options.logger.warn({ err: errorMessage(err) }, 'final flush failed; those records will be read again'));
    await this.input.stop();
    await this.deadLetters.disconnect();
  }

  private async handleBatch(batch: InputBatch): Promise<void> {
    const { names, catalogue, serde, tables, metrics, progress, config } = this.options;
    const { tp, messages } = batch;
    const topic = names.logical(tp.topic);
    const spec = catalogue.get(topic);
    const table = tableForTopic(tables, topic);
    const limits = { rows: config.ANALYTICS_BATCH_ROWS, bytes: config.ANALYTICS_BATCH_BYTES };
    // the Kafka position columns of every row of this batch, rendered once: only the offset differs
    const position = `,"kafka_topic":${JSON.stringify(topic)},"kafka_partition":${tp.partition},"kafka_offset":`;
    let handled = 0;
    try {
      for (const message of messages) {
        if (!batch.active() || this.stopping) break;
        handled++;
        // a format without a synchronous decode is decoded first: a timer flush may take the buffer meanwhile
        const decoded = message.value && !serde.decodeSync ? await serde.decode<Record<string, unknown>>(message.value, spec.value, tp.topic).catch((error: unknown) => error as Error) : undefined;
        const buffer = this.buffers.of(table.table);
        if (!message.value) {
          buffer.advance({ topic: tp.topic, partition: tp.partition, offset: message.offset }); // a tombstone of a compacted topic: nothing to write
        } else {
          try {
            const { value } = message;
            const body = serde.sameSchemaBody?.(value, spec.value) ?? -1;
            buffer.addRecord(table, { topic: tp.topic, partition: tp.partition, message }, body, `${position}${Number(message.offset)}`, () => {
              if (decoded instanceof Error) throw decoded;
              return decoded ?? serde.decodeSync!<Record<string, unknown>>(value, spec.value);
            });
          } catch (error) {
            buffer.addDeadLetter({
              stage: SINK_STAGE, topic: tp.topic, partition: tp.partition, offset: message.offset, key: message.key ?? null,
              value: message.value, headers: headersToStrings(message.headers), error: new PoisonRecordError(errorMessage(error), { cause: error }), attempts: 1,
            });
          }
        }
        // this table's batch is full, or all tables' together hold ANALYTICS_BATCH_BYTES (the memory bound)
        const full = buffer.isFull(limits) ? table.table : this.buffers.bytes >= limits.bytes ? 'all' : undefined;
        if (full) {
          batch.resolve(message.offset); // the consumer's position, before waiting (a kafkajs call per record costs)
          try {
            await this.flushWhileHeartbeating(batch.heartbeat, full === 'all' ? undefined : full);
          } catch (error) {
            if (this.stopping) return; // shutting down mid-outage: uncommitted records are read again next start
            throw error;
          }
        }
      }
    } finally {
      if (handled) {
        batch.resolve(messages[handled - 1].offset);
        metrics.recordsIn.inc({ stage: SINK_STAGE, topic }, handled);
      }
    }
    const last = messages.length ? BigInt(messages[messages.length - 1].offset) : batch.highWatermark - 1n;
    const lag = Math.max(0, Number(batch.highWatermark - last - 1n));
    metrics.lag.set({ stage: SINK_STAGE, topic, partition: String(tp.partition) }, lag);
    progress.setLag(`${tp.topic}/${tp.partition}`, lag);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    const oldest = this.buffers.oldest();
    if (this.timer || oldest === undefined || this.stopping) return;
    const wait = Math.max(this.pendingWrites > 0 ? 100 : 0, this.options.config.ANALYTICS_FLUSH_MS - (Date.now() - oldest));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // never queue a second batch behind a write that has not finished (ClickHouse down): memory stays bounded
      if (this.pendingWrites > 0) return this.scheduleFlush();
      void this.flush().catch((err) => this.options.logger[this.stopping ? 'warn' : 'error']({ err: errorMessage(err) }, 'flush failed'));
    }, wait);
  }

  /**
   * Hands the full buffer(s) to the writer and keeps consuming into fresh ones, but first waits (heartbeating,
   * so a long ClickHouse outage keeps the group) for the previous batch's insert: in memory are the batches of
   * one flush being inserted and the buffers filling (ANALYTICS_BATCH_BYTES together).
   */
  private async flushWhileHeartbeating(heartbeat: () => Promise<void>, table?: string): Promise<void> {
    const previous = this.writing;
    let finished = false;
    void previous.finally(() => (finished = true)).catch(() => undefined);
    while (!finished) {
      await Promise.race([previous.catch(() => undefined), sleep(2000)]);
      if (!finished) await heartbeat().catch(() => undefined);
    }
    await previous;
    void this.flush(table).catch(() => undefined); // its failure (only when stopping) surfaces on the next wait
  }

  /**
   * Takes the buffer of `table` (default: every table's) and queues its write behind the previous ones, so offsets
   * are committed in order. Resolves when everything queued so far is written and committed.
   */
  flush(table?: string): Promise<void> {
    if (!table) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const buffer of this.buffers.take(table)) this.queueWrite(buffer);
    return this.flushing;
  }

  private queueWrite(buffer: RowBuffer): void {
    this.pendingWrites++;
    this.pendingRows += buffer.rowCount;
    // a batch that was not written must not be overtaken: a rejection carries through both chains. The commit
    // runs beside the next batch's insert instead of before it (a broker round trip off the insert path)
    const written = this.writing.then(() => this.write(buffer));
    const committed = Promise.all([written, this.flushing]).then(() => this.commit(buffer));
    this.writing = written;
    this.flushing = committed.finally(() => {
      this.pendingWrites--;
      this.pendingRows -= buffer.rowCount;
    });
  }

  private async write(buffer: RowBuffer): Promise<void> {
    const { metrics } = this.options;
    await this.untilDone('insert', async () => {
      const count = buffer.rows.length;
      if (count === 0) return;
      const rejected = await this.insertIsolatingRejects(buffer, 0, count);
      metrics.recordsOut.inc({ stage: SINK_STAGE, topic: buffer.table }, count - rejected.length);
      for (const { source, error } of rejected) buffer.deadLetters.push({ ...source, stage: SINK_STAGE, error, attempts: 1 });
      buffer.release(); // a retry of what follows resends nothing
    });
    if (buffer.deadLetters.length) await this.untilDone('dead-letter', () => this.sendDeadLetters(buffer));
  }

  private async commit(buffer: RowBuffer): Promise<void> {
    const { logger, progress } = this.options;
    try {
      await this.input.commitOffsets(buffer.commits());
    } catch (err) {
      // rows are in ClickHouse; whoever owns the partition now re-reads them and they replace themselves
      logger.warn({ err }, 'offset commit failed after a successful insert (partitions moved)');
    }
    progress.add(buffer.rowCount + buffer.deadLetters.length);
  }

  /**
   * Inserts `rows`; when ClickHouse rejects the data itself (a row that does not parse into its column, e.g.
   * after a schema and its table drifted apart), halves the batch until the offending rows are found and
   * returns them for the DLQ, so one bad row never stalls the sink. Connection trouble is thrown for a retry.
   */
  private async insertIsolatingRejects(buffer: RowBuffer, from: number, to: number): Promise<Array<{ source: SourceRecord; error: RowRejectedError }>> {
    const { table } = buffer;
    try {
      await this.options.writer.insert(table, buffer.range(from, to));
      return [];
    } catch (error) {
      if (!isDataRejection(error)) throw error;
      if (to - from === 1) return [{ source: sourceOf(buffer.rows[from]), error: new RowRejectedError(`ClickHouse rejected the row for ${table}: ${errorMessage(error)}`, error) }];
      const half = from + Math.ceil((to - from) / 2);
      return [...(await this.insertIsolatingRejects(buffer, from, half)), ...(await this.insertIsolatingRejects(buffer, half, to))];
    }
  }

  private async sendDeadLetters(buffer: RowBuffer): Promise<void> {
    await this.deadLetters.send(buffer.deadLetters);
    buffer.deadLetters.length = 0;
  }

  /** Retries `work` with capped exponential backoff until it succeeds: ClickHouse being down is not data loss. */
  private async untilDone(what: string, work: () => Promise<void>): Promise<void> {
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        if (this.degraded) this.options.logger.info({ what, attempt }, 'ClickHouse answers again; catching up');
        this.degraded = false;
        return;
      } catch (err) {
        this.degraded = true;
        if (this.stopping && attempt >= 3) throw err;
        this.options.metrics.retries.inc({ stage: SINK_STAGE });
        this.options.logger.warn({ err: errorMessage(err), what, attempt, retryInMs: delay }, 'analytics write failed; retrying (the sink lags meanwhile)');
        await sleep(delay);
        delay = Math.min(delay * 2, this.options.config.ANALYTICS_RETRY_MAX_MS);
      }
    }
  }
}
