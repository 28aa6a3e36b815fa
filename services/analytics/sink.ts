import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Serde } from '../platform/avro/serde.ts';
import type { TopicCatalogue, TopicNames } from '../platform/catalogue.ts';
import { errorMessage, PoisonRecordError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { deadLetter, headersToStrings } from '../platform/runtime/dead-letter.ts';
import type { StageMetrics } from '../platform/runtime/metrics.ts';
import type { ProgressReporter } from '../platform/runtime/progress.ts';
import { RowBuffer, type BufferedRow, type SourceRecord } from './buffer.ts';
import type { AnalyticsConfig } from './config.ts';
import { tableForTopic, type TableSpec } from './tables.ts';
import { isDataRejection, RowRejectedError, type RowWriter } from './writer.ts';

export { clickHouseWriter, RowRejectedError, type RowWriter } from './writer.ts';

export const SINK_STAGE = 'analytics';

export interface SinkOptions {
  kafka: Kafka;
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
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private buffer = new RowBuffer();
  private flushing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopping = false;
  /** Batches handed to the writer and not yet written and committed. */
  private pendingWrites = 0;
  private pendingRows = 0;
  joined = false;
  /** True while an insert keeps failing: readiness reports it. */
  degraded = false;
  /** The consumer stopped for good (kafkajs gave up restarting it). */
  crashed = false;

  constructor(private readonly options: SinkOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
      retry: { retries: 8, initialRetryTime: 300 },
    });
    this.dlqProducer = options.kafka.producer({ idempotent: true });
  }

  /** Rows held in memory: the batch being filled plus batches waiting to be written. */
  bufferedRows(): number {
    return this.buffer.rowCount + this.pendingRows;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  inputs(): string[] {
    return this.options.catalogue.all().map((t) => t.name);
  }

  async start(): Promise<void> {
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(REBALANCING, () => (this.joined = false));
    this.consumer.on(CRASH, (e) => {
      this.options.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'analytics consumer crashed');
      if (!e.payload.restart) {
        this.crashed = true; // liveness fails and the service stops: the orchestrator restarts it
        this.options.onFatal?.();
      }
    });
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.inputs().map((t) => this.options.names.physical(t)), fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (p) => this.handleBatch(p) });
  }

  /** Writes what is buffered, commits it, and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.timer);
    // commit while still in the group (a stopped kafkajs consumer can no longer commit)
    await this.flush().catch((err) => this.options.logger.warn({ err: errorMessage(err) }, 'final flush failed; those records will be read again'));
    await this.consumer.disconnect().catch(() => undefined);
    await this.dlqProducer.disconnect().catch(() => undefined);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { names, catalogue, serde, tables, metrics, progress, config } = this.options;
    const topic = names.logical(batch.topic);
    const spec = catalogue.get(topic);
    const table = tableForTopic(tables, topic);
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping) break;
      const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
      metrics.recordsIn.inc({ stage: SINK_STAGE, topic });
      if (!message.value) {
        this.buffer.advance(source); // a tombstone of a compacted topic: nothing to write
      } else {
        try {
          const value = await serde.decode<Record<string, unknown>>(message.value, spec.value, batch.topic);
          const row = { ...table.mapping.toRow(value), kafka_topic: topic, kafka_partition: batch.partition, kafka_offset: Number(message.offset) };
          this.buffer.add(table.table, row, { ...source, key: message.key ?? null, value: message.value, headers: headersToStrings(message.headers) }, message.value.length);
        } catch (error) {
          this.buffer.addDeadLetter({
            stage: SINK_STAGE, topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key ?? null,
            value: message.value, headers: headersToStrings(message.headers), error: new PoisonRecordError(errorMessage(error), { cause: error }), attempts: 1,
          });
        }
      }
      resolveOffset(message.offset);
      if (this.buffer.isFull({ rows: config.ANALYTICS_BATCH_ROWS, bytes: config.ANALYTICS_BATCH_BYTES })) {
        try {
          await this.flushWhileHeartbeating(heartbeat);
        } catch (error) {
          if (this.stopping) return; // shutting down mid-outage: uncommitted records are read again next start
          throw error;
        }
      }
    }
    const lag = Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
    metrics.lag.set({ stage: SINK_STAGE, topic, partition: String(batch.partition) }, lag);
    progress.setLag(`${batch.topic}/${batch.partition}`, lag);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.timer || this.buffer.isEmpty() || this.stopping) return;
    const wait = Math.max(this.pendingWrites > 0 ? 100 : 0, this.options.config.ANALYTICS_FLUSH_MS - (Date.now() - this.buffer.createdAt));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // never queue a second batch behind a write that has not finished (ClickHouse down): memory stays bounded
      if (this.pendingWrites > 0) return this.scheduleFlush();
      void this.flush().catch((err) => this.options.logger[this.stopping ? 'warn' : 'error']({ err: errorMessage(err) }, 'flush failed'));
    }, wait);
  }

  /**
   * Hands the full buffer to the writer and keeps consuming into a fresh one, but first waits (heartbeating,
   * so a long ClickHouse outage keeps the group) for the previous batch to be written: at most two batches are
   * ever in memory, one being written and one filling.
   */
  private async flushWhileHeartbeating(heartbeat: () => Promise<void>): Promise<void> {
    const previous = this.flushing;
    let finished = false;
    void previous.finally(() => (finished = true)).catch(() => undefined);
    while (!finished) {
      await Promise.race([previous.catch(() => undefined), sleep(2000)]);
      if (!finished) await heartbeat().catch(() => undefined);
    }
    await previous;
    void this.flush().catch(() => undefined); // its failure (only when stopping) surfaces on the next wait
  }

  /**
   * Takes the current buffer and queues its write behind the previous ones, so offsets are committed in order.
   * Resolves when everything queued so far is written and committed.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const buffer = this.buffer;
    if (buffer.isEmpty()) return this.flushing;
    this.buffer = new RowBuffer();
    this.pendingWrites++;
    this.pendingRows += buffer.rowCount;
    this.flushing = this.flushing
      .then(
        () => this.write(buffer),
        (error) => {
          throw error; // a batch that was not written must not be overtaken by a later commit
        },
      )
      .finally(() => {
        this.pendingWrites--;
        this.pendingRows -= buffer.rowCount;
      });
    return this.flushing;
  }

  private async write(buffer: RowBuffer): Promise<void> {
    const { metrics, logger, progress } = this.options;
    await this.untilDone('insert', async () => {
      for (const [table, rows] of buffer.rows) {
        if (rows.length === 0) continue;
        const rejected = await this.insertIsolatingRejects(table, rows);
        metrics.recordsOut.inc({ stage: SINK_STAGE, topic: table }, rows.length - rejected.length);
        for (const { source, error } of rejected) buffer.deadLetters.push({ ...source, stage: SINK_STAGE, error, attempts: 1 });
        buffer.rows.set(table, []); // a retry after a partial failure resends only what is missing
      }
    });
    if (buffer.deadLetters.length) await this.untilDone('dead-letter', () => this.sendDeadLetters(buffer));
    try {
      await this.consumer.commitOffsets([...buffer.commits.values()]);
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
  private async insertIsolatingRejects(table: string, rows: BufferedRow[]): Promise<Array<{ source: SourceRecord; error: RowRejectedError }>> {
    try {
      await this.options.writer.insert(table, rows.map((r) => r.row));
      return [];
    } catch (error) {
      if (!isDataRejection(error)) throw error;
      if (rows.length === 1) return [{ source: rows[0].source, error: new RowRejectedError(`ClickHouse rejected the row for ${table}: ${errorMessage(error)}`, error) }];
      const half = Math.ceil(rows.length / 2);
      return [...(await this.insertIsolatingRejects(table, rows.slice(0, half))), ...(await this.insertIsolatingRejects(table, rows.slice(half)))];
    }
  }

  private async sendDeadLetters(buffer: RowBuffer): Promise<void> {
    const dlqTopic = this.options.names.physical('fw.dlq');
    const messages = await Promise.all(
      buffer.deadLetters.map(async (failed) => {
        const letter = deadLetter(failed);
        this.options.metrics.deadLettered.inc({ stage: SINK_STAGE, code: letter.value.error_code });
        this.options.logger.warn({ topic: failed.topic, partition: failed.partition, offset: failed.offset, error: letter.value.error_message }, 'record dead-lettered');
        return { key: letter.value.id, value: await this.options.serde.encode('fw.DeadLetter', letter.value, dlqTopic), headers: letter.headers };
      }),
    );
    await this.dlqProducer.send({ topic: dlqTopic, messages });
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
