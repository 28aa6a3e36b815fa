import fs from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { PlatformConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { assertKafkajsPatched } from './kafkajs-patch.ts';
import { compressSends, defaultCompression, registerCodecs } from './compression.ts';

registerCodecs();

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The platform's Kafka client handle: services pass it to platform functions and never call it themselves. */
export type KafkaClient = Kafka;

export interface KafkaClientHooks {
  /** A connection to a broker was refused or failed, or a request to it timed out (from the client's own error log). */
  onConnectionError?(broker: string, message: string): void;
}

/** A kafkajs client from platform config: brokers, TLS, SASL/SCRAM, producer compression, logs routed into pino. */
export function createKafka(config: PlatformConfig, logger: Logger, clientSuffix = '', hooks: KafkaClientHooks = {}): Kafka {
  assertKafkajsPatched();
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const options: KafkaConfig = {
    clientId: config.KAFKA_CLIENT_ID + (clientSuffix ? `-${clientSuffix}` : ''),
    brokers: config.KAFKA_BROKERS,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 10000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        if (hooks.onConnectionError && level <= logLevel.WARN && /Connection error|Connection timeout|Request .* timed out/i.test(message)) {
          hooks.onConnectionError(String(rest.broker ?? ''), message);
        }
        // kafkajs logs retried coordinator/transaction races as errors, and metadata misses while a fresh topic's
        // partitions get their leaders; they are routine
        const routine =
          /CONCURRENT_TRANSACTIONS|another concurrent operation|coordinator is loading|coordinator is not available|not the correct coordinator|not the leader for that topic-partition|rebalancing|Limiting retries for the idempotent producer|does not host this topic-partition|There is no leader for this topic-partition/i.test(
          `${message} ${String(rest.error ?? '')}`,
        );
        kafkaLogger[routine ? 'debug' : (levels[level] ?? 'info')](rest, message);
      },
  };
  if (config.KAFKA_SSL) {
    options.ssl = config.KAFKA_SSL_CA_FILE ? { ca: [fs.readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : true;
  }
  if (config.KAFKA_SASL_MECHANISM) {
    options.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME!,
      password: config.KAFKA_SASL_PASSWORD!,
    } as SASLOptions;
  }
  return compressSends(new Kafka(options), config.KAFKA_COMPRESSION ?? defaultCompression());
}
