import type { KafkaMessage } from 'kafkajs';
import type { Serde } from '../avro/serde.ts';
import type { TopicCatalogue, TopicNames } from '../catalogue.ts';
import type { PlatformConfig } from '../config.ts';
import { FlywheelError, isRetriable, PoisonRecordError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { headersToStrings } from './dead-letter.ts';
import { DeadLetterEncoder } from './dead-letters.ts';
import type { StageMetrics } from './metrics.ts';
import { withRetry } from './retry.ts';
import type { AnyStage, InputRecord, OutputRecord, StageContext } from './stage.ts';
import type { OutputMessage } from './transaction.ts';

const ALWAYS_ALLOWED = new Set(['fw.drops', 'fw.dlq']);

export interface PipelineOptions {
  stage: AnyStage;
  serde: Serde;
  catalogue: TopicCatalogue;
  names: TopicNames;
  platform: PlatformConfig;
  metrics: StageMetrics;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * One input record through the stage: decode → process (retrying transient failures with backoff) → encode,
 * or a dead letter when the bytes do not decode, the stage calls the record poison, retries run out, or an
 * output does not match its schema. Never throws for a record's own fault; throws only to leave the record
 * uncommitted (shutdown mid-retry).
 */
export class RecordPipeline {
  private readonly deadLetters: DeadLetterEncoder;
  private readonly processSeconds: ReturnType<StageMetrics['processSeconds']['labels']>;
  private readonly physical = new Map<string, string>();

  constructor(private readonly options: PipelineOptions) {
    this.deadLetters = new DeadLetterEncoder(options.serde, options.names, options.metrics, options.logger);
    this.processSeconds = options.metrics.processSeconds.labels({ stage: options.stage.name });
  }

  /**
   * Processes a chunk of one partition, at most `concurrency` records at a time; returns the messages to write, in
   * input order. Workers pull the next record by index (no queue of promises) and stop pulling once one record
   * threw. Without an await on real I/O the workers would run as one long stretch of microtasks; every SLICE_MS they
   * all pause for one turn of the event loop, so that another partition's transaction is not held up by this chunk.
   */
  async chunk(topic: string, partition: number, messages: KafkaMessage[], context: StageContext<unknown, unknown>, heartbeat: () => Promise<void>): Promise<OutputMessage[]> {
    const { stage, platform, metrics } = this.options;
    const labels = { stage: stage.name };
    metrics.recordsIn.inc({ stage: stage.name, topic }, messages.length);
    metrics.inFlight.inc(labels, messages.length);
    const results: OutputMessage[][] = new Array(messages.length);
    let next = 0;
    let failed = false;
    let turn = performance.now();
    let pause: Promise<void> | undefined;
    const worker = async () => {
      try {
        while (!failed && next < messages.length) {
          if (!pause && performance.now() - turn > SLICE_MS) pause = yieldToEventLoop().then(() => ((turn = performance.now()), (pause = undefined)));
          if (pause) await pause;
          if (failed || next >= messages.length) break;
          const i = next++;
          results[i] = await this.record(topic, partition, messages[i], context, heartbeat);
        }
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    try {
      const width = Math.min(stage.concurrency ?? platform.STAGE_CONCURRENCY, messages.length);
      await Promise.all(Array.from({ length: width }, worker));
    } finally {
      metrics.inFlight.dec(labels, messages.length);
    }
    return results.flat();
  }

  async record(topic: string, partition: number, message: KafkaMessage, context: StageContext<unknown, unknown>, heartbeat: () => Promise<void>): Promise<OutputMessage[]> {
    const { stage, platform, metrics, logger, signal } = this.options;
    const started = performance.now();
    const headers = headersToStrings(message.headers);
    try {
      let input: InputRecord;
      try {
        const decoded = this.decode(topic, partition, message, headers);
        input = isThenable(decoded) ? await decoded : decoded;
      } catch (error) {
        return [await this.deadLetter(topic, partition, message, headers, error, 1)];
      }
      // first attempt without the retry loop's promises and closures: most records succeed at once
      let failed: { error: unknown };
      try {
        const outputs = this.attempt(input, context);
        return isThenable(outputs) ? await outputs : outputs;
      } catch (error) {
        failed = { error };
      }
      const outcome = await withRetry(
        async () => this.attempt(input, context),
        { retries: platform.STAGE_MAX_RETRIES, initialMs: platform.STAGE_RETRY_INITIAL_MS, maxMs: platform.STAGE_RETRY_MAX_MS },
        {
          signal,
          onRetry: async (error, attempt, delayMs) => {
            metrics.retries.inc({ stage: stage.name });
            logger.warn({ err: error, topic, partition, offset: message.offset, attempt, delayMs }, 'transient failure, retrying');
            await heartbeat().catch(() => undefined);
          },
        },
        failed,
      );
      if (outcome.error === undefined) return outcome.value!;
      if (signal.aborted && isRetriable(outcome.error)) {
        // shutting down mid-retry: leave the record uncommitted for the next owner rather than dead-letter it
        throw new FlywheelError('SHUTDOWN', `stage ${stage.name} stopped while retrying ${topic}/${partition}@${message.offset}`, { cause: outcome.error });
      }
      return [await this.deadLetter(topic, partition, message, headers, outcome.error, outcome.attempts)];
    } finally {
      this.processSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /** process → encode; synchronous when the stage's process and the serde are (no promise per record then). */
  private attempt(input: InputRecord, context: StageContext<unknown, unknown>): OutputMessage[] | Promise<OutputMessage[]> {
    const outputs = this.options.stage.process(input, context);
    return isThenable(outputs) ? Promise.resolve(outputs).then((o) => this.encodeAll(o)) : this.encodeAll(outputs);
  }

  private deadLetter(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>, error: unknown, attempts: number): Promise<OutputMessage> {
    return this.deadLetters.encode({
      stage: this.options.stage.name, topic: this.physicalName(topic), partition, offset: message.offset,
      key: message.key ?? null, value: message.value ?? null, headers, error, attempts,
    });
  }

  private decode(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>): InputRecord | Promise<InputRecord> {
    if (!message.value) throw new PoisonRecordError('empty message value (tombstone)');
    const { serde, catalogue } = this.options;
    const spec = catalogue.get(topic);
    const record = (value: unknown): InputRecord => ({
      topic: topic as InputRecord['topic'],
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: value as InputRecord['value'],
      headers,
      timestamp: message.timestamp,
    });
    if (serde.decodeSync) return record(serde.decodeSync(message.value, spec.value));
    return serde.decode(message.value, spec.value, this.physicalName(topic)).then(record);
  }

  private encodeAll(outputs: OutputRecord[]): OutputMessage[] | Promise<OutputMessage[]> {
    const messages = outputs.map((out) => this.encode(out));
    return messages.some(isThenable) ? Promise.all(messages) : (messages as OutputMessage[]);
  }

  private encode(out: OutputRecord): OutputMessage | Promise<OutputMessage> {
    const { stage, catalogue, serde } = this.options;
    if (!stage.outputs.includes(out.topic) && !ALWAYS_ALLOWED.has(out.topic)) {
      throw new FlywheelError('UNDECLARED_OUTPUT', `stage ${stage.name} wrote to ${out.topic}, which is not among its outputs`);
    }
    const spec = catalogue.get(out.topic);
    const topic = this.physicalName(out.topic);
    const key = out.key ?? String((out.value as unknown as Record<string, unknown>)[spec.key] ?? '');
    if (serde.encodeSync) return { topic, key, value: serde.encodeSync(spec.value, out.value), headers: out.headers };
    return serde.encode(spec.value, out.value, topic).then((value) => ({ topic, key, value, headers: out.headers }));
  }

  /** Physical topic names, built once per topic (the same string each time, not a new concatenation). */
  private physicalName(topic: string): string {
    let name = this.physical.get(topic);
    if (name === undefined) {
      name = this.options.names.physical(topic);
      this.physical.set(topic, name);
    }
    return name;
  }
}

const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> => typeof (value as { then?: unknown } | null)?.then === 'function';

/** CPU time the workers of a chunk take before every one of them lets the event loop run I/O (ms). */
const SLICE_MS = 5;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
