import { createSerde, type Serde } from '../platform/avro/serde.ts';
import { topicCatalogue, TopicNames, type TopicCatalogue } from '../platform/catalogue.ts';
import { loadPlatformConfig, type PlatformConfig } from '../platform/config.ts';
import { KafkaCluster } from '../platform/kafka/cluster.ts';
import { createLogger, type Logger } from '../platform/logger.ts';

/** What most CLI commands need: validated config, a logger, Kafka, topic names and the serde. */
export interface CliContext {
  config: PlatformConfig;
  logger: Logger;
  kafka: KafkaCluster;
  names: TopicNames;
  catalogue: TopicCatalogue;
  serde: Serde;
}

export function cliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadPlatformConfig(env);
  const logger = createLogger({ level: config.LOG_LEVEL });
  const kafka = KafkaCluster.fromConfig(config, logger, 'cli');
  return {
    config,
    logger,
    kafka,
    names: new TopicNames(config.TOPIC_PREFIX),
    catalogue: topicCatalogue(),
    serde: createSerde({ schemaRegistryUrl: config.SCHEMA_REGISTRY_URL }),
  };
}
