import { LocalKafka } from '../../services/platform/stack/kafka-local.ts';
import { loadPlatformConfig } from '../../services/platform/config.ts';

/**
 * vitest global setup: tests run against a real broker. With KAFKA_BROKERS set that cluster is used as it
 * is; otherwise the project's local broker is started (and stopped again if this run started it).
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.KAFKA_BROKERS) return async () => undefined;
  const config = loadPlatformConfig();
  const port = Number(config.KAFKA_BROKERS[0].split(':')[1]);
  const kafka = new LocalKafka({ home: config.FLYWHEEL_HOME, brokerPort: port, controllerPort: port + 1 });
  const { started } = await kafka.up();
  return async () => {
    if (started && !process.env.FLYWHEEL_KEEP_STACK) await kafka.down();
  };
}
