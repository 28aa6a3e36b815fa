import type { KafkaMessage } from 'kafkajs';
import pLimit from 'p-limit';
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
  private readonly timer: ReturnType<StageMetrics['processSeconds']['labels']>;

  constructor(private readonly options: PipelineOptions) {
    this.deadLetters = new DeadLetterEncoder(options.serde, options.names, options.metrics, options.logger);
    this.timer = options.metrics.processSeconds.labels({ stage: options.stage.name });
  }

  /** Processes a chunk of one partition with bounded concurrency; returns the messages to write, in input order. */
  async chunk(topic: string, partition: number, messages: KafkaMessage[], context: StageContext<unknown, unknown>, heartbeat: () => Promise<void>): Promise<OutputMessage[]> {
    const { stage, platform, metrics } = this.options;
    const limit = pLimit(stage.concurrency ?? platform.STAGE_CONCURRENCY);
    metrics.recordsIn.inc({ stage: stage.name, topic }, messages.length);
    metrics.inFlight.inc({ stage: stage.name }, messages.length);
    try {
      const results = await Promise.all(messages.map((m) => limit(() => this.record(topic, partition, m, context, heartbeat))));
      return results.flat();
    } finally {
      metrics.inFlight.dec({ stage: stage.name }, messages.length);
    }
  }

  async record(topic: string, partition: number, message: KafkaMessage, context: StageContext<unknown, unknown>, heartbeat: () => Promise<void>): Promise<OutputMessage[]> {
    const { stage, platform, metrics, logger, signal } = this.options;
    const stopTimer = this.timer.startTimer();
    const headers = headersToStrings(message.headers);
    const fail = async (error: unknown, attempts: number) => [
      await this.deadLetters.encode({
        stage: stage.name, topic: this.options.names.physical(topic), partition, offset: message.offset,
        key: message.key ?? null, value: message.value ?? null, headers, error, attempts,
      }),
    ];
    try {
      let input: InputRecord;
      try {
        input = await this.decode(topic, partition, message, headers);
      } catch (error) {
        return await fail(error, 1);
      }
      const outcome = await withRetry(
        async () => this.encode(await stage.process(input, context)),
        { retries: platform.STAGE_MAX_RETRIES, initialMs: platform.STAGE_RETRY_INITIAL_MS, maxMs: platform.STAGE_RETRY_MAX_MS },
        {
          signal,
          onRetry: async (error, attempt, delayMs) => {
            metrics.retries.inc({ stage: stage.name });
            logger.warn({ err: error, topic, partition, offset: message.offset, attempt, delayMs }, 'transient failure, retrying');
            await heartbeat().catch(() => undefined);
          },
        },
      );
      if (outcome.error === undefined) return outcome.value!;
      if (signal.aborted && isRetriable(outcome.error)) {
        // shutting down mid-retry: leave the record uncommitted for the next owner rather than dead-letter it
        throw new FlywheelError('SHUTDOWN', `stage ${stage.name} stopped while retrying ${topic}/${partition}@${message.offset}`, { cause: outcome.error });
      }
      return await fail(outcome.error, outcome.attempts);
    } finally {
      stopTimer();
    }
  }

  private async decode(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>): Promise<InputRecord> {
    if (!message.value) throw new PoisonRecordError('empty message value (tombstone)');
    const spec = this.options.catalogue.get(topic);
    return {
      topic: topic as InputRecord['topic'],
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: await this.options.serde.decode(message.value, spec.value, this.options.names.physical(topic)),
      headers,
      timestamp: message.timestamp,
    };
  }

  private async encode(outputs: OutputRecord[]): Promise<OutputMessage[]> {
    const { stage, catalogue, names, serde } = this.options;
    return Promise.all(
      outputs.map(async (out) => {
        if (!stage.outputs.includes(out.topic) && !ALWAYS_ALLOWED.has(out.topic)) {
          throw new FlywheelError('UNDECLARED_OUTPUT', `stage ${stage.name} wrote to ${out.topic}, which is not among its outputs`);
        }
        const spec = catalogue.get(out.topic);
        const physical = names.physical(out.topic);
        const key = out.key ?? String((out.value as unknown as Record<string, unknown>)[spec.key] ?? '');
        return { topic: physical, key, value: await serde.encode(spec.value, out.value, physical), headers: out.headers };
      }),
    );
  }
}

