import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { createSerde } from '../services/platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../services/platform/catalogue.ts';
import { loadPlatformConfig, type PlatformConfig } from '../services/platform/config.ts';
import type { TopicName, TopicValues } from '../services/platform/generated/records.ts';
import { createKafka } from '../services/platform/kafka/client.ts';
import { KafkaCluster } from '../services/platform/kafka/cluster.ts';
import { readTopic } from '../services/platform/kafka/tail.ts';
import { ensureTopics } from '../services/platform/kafka/topics.ts';
import { createLogger } from '../services/platform/logger.ts';
import { waitForDrain } from '../services/platform/runtime/drain.ts';
import type { RunningStage } from '../services/platform/runtime/runner.ts';

/**
 * An isolated slice of the real broker for one test: every catalogue topic under a random prefix, plus
 * helpers to produce records, read a topic back (read_committed) and wait for stages to drain.
 */
export class TestEnv {
  readonly prefix = `t${randomBytes(4).toString('hex')}.`;
  readonly env: NodeJS.ProcessEnv;
  readonly config: PlatformConfig;
  readonly names: TopicNames;
  readonly kafka: Kafka;
  /** The same client behind the platform's interface, for the service functions that take one. */
  readonly cluster: KafkaCluster;
  readonly serde = createSerde();
  readonly home: string;

  /** `quiet`: the test's own client logs nothing (fault scenarios, where connection errors are the point). */
  constructor(extraEnv: NodeJS.ProcessEnv = {}, options: { quiet?: boolean } = {}) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-test-'));
    this.env = { ...process.env, TOPIC_PREFIX: this.prefix, HTTP_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', FLYWHEEL_HOME: this.home, ...extraEnv };
    this.config = loadPlatformConfig(this.env);
    this.names = new TopicNames(this.prefix);
    this.kafka = createKafka(this.config, createLogger({ level: options.quiet ? 'silent' : 'error' }), 'test');
    this.cluster = new KafkaCluster(this.kafka, this.config.TOPIC_REPLICATION_FACTOR);
  }

  get logger() {
    return createLogger({ level: this.config.LOG_LEVEL });
  }

  topic(name: TopicName | string): string {
    return this.names.physical(name);
  }

  async createTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, topicCatalogue(), this.names, undefined, this.config.TOPIC_REPLICATION_FACTOR);
    } finally {
      await admin.disconnect();
    }
  }

  /** Produces values (Avro-encoded with the topic's schema) non-transactionally. */
  async produce<T extends TopicName>(topic: T, values: Array<TopicValues[T]>, options: { raw?: Array<Buffer | null> } = {}): Promise<void> {
    const spec = topicCatalogue().get(topic);
    const physical = this.topic(topic);
    const producer = this.kafka.producer({ idempotent: true });
    await producer.connect();
    try {
      const messages = await Promise.all(
        values.map(async (v) => ({ key: String((v as unknown as Record<string, unknown>)[spec.key]), value: await this.serde.encode(spec.value, v, physical) })),
      );
      for (const raw of options.raw ?? []) messages.push({ key: 'raw', value: raw as Buffer });
      await producer.send({ topic: physical, messages });
    } finally {
      await producer.disconnect();
    }
  }

  /** All committed records of a topic, decoded. */
  async read<T extends TopicName>(topic: T): Promise<Array<TopicValues[T]>> {
    const spec = topicCatalogue().get(topic);
    const physical = this.topic(topic);
    const messages = await readTopic(this.kafka, physical);
    return Promise.all(messages.map((m) => this.serde.decode<TopicValues[T]>(m.value!, spec.value, physical)));
  }

  async drain(stages: Array<Pick<RunningStage, 'groupId'> & Partial<Pick<RunningStage, 'idle'>> & { inputs: readonly string[] }>, timeoutMs = 120_000): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await waitForDrain(admin, stages.map((s) => ({ groupId: s.groupId, topics: s.inputs.map((t) => this.topic(t)) })), {
        timeoutMs,
        quietMs: 1500,
        idle: stages.every((s) => s.idle) ? () => stages.every((s) => s.idle!()) : undefined,
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Deletes this test's topics. */
  async cleanup(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
      if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

let counter = 0;
/** A minimal valid record header for fixtures. */
export function fixtureMeta(kind: string, round = 1) {
  counter++;
  return { id: `${kind}_${counter}_${randomBytes(3).toString('hex')}`, round, parent_ids: [], producer: { service: 'test', version: '0', instance: '' }, created_at: Date.now() };
}
