import type { Kafka, Producer } from 'kafkajs';
import type { Serde } from '../avro/serde.ts';
import type { TopicNames } from '../catalogue.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { deadLetter, type FailedMessage } from './dead-letter.ts';
import type { StageMetrics } from './metrics.ts';
import type { OutputMessage } from './transaction.ts';

/** Encodes dead letters onto fw.dlq: shared by the stage pipeline (inside its transaction) and the analytics sink. */
export class DeadLetterEncoder {
  constructor(
    private readonly serde: Serde,
    private readonly names: TopicNames,
    private readonly metrics: StageMetrics,
    private readonly logger: Logger,
  ) {}

  async encode(failed: FailedMessage): Promise<OutputMessage> {
    const letter = deadLetter(failed);
    this.metrics.deadLettered.inc({ stage: failed.stage, code: letter.value.error_code });
    this.logger.warn(
      { topic: failed.topic, partition: failed.partition, offset: failed.offset, code: letter.value.error_code, error: errorMessage(failed.error), attempts: failed.attempts },
      'record dead-lettered',
    );
    const topic = this.names.physical('fw.dlq');
    return { topic, key: letter.value.id, value: await this.serde.encode('fw.DeadLetter', letter.value, topic), headers: letter.headers };
  }
}

/**
 * Dead letters sent outside a transaction, for at-least-once consumers (the analytics sink): the dead letter's id
 * is its input position, so a letter sent again after a crash replaces itself downstream.
 */
export class DeadLetterProducer {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly encoder: DeadLetterEncoder,
  ) {
    this.producer = kafka.producer({ idempotent: true });
  }

  async send(failed: FailedMessage[]): Promise<void> {
    if (failed.length === 0) return;
    this.connected ??= this.producer.connect();
    await this.connected;
    const messages = await Promise.all(failed.map((f) => this.encoder.encode(f)));
    await this.producer.send({ topic: messages[0].topic, messages: messages.map(({ key, value, headers }) => ({ key, value, headers })) });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
    this.connected = undefined;
  }
}
