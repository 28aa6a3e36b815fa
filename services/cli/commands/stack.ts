import fs from 'node:fs';
import type { Command } from 'commander';
import { loadPlatformConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { LocalKafkaCluster } from '../../platform/stack/kafka-cluster.ts';
import { LocalKafka } from '../../platform/stack/kafka-local.ts';
import { downLocalLlmIfRunning, upLocalLlmIfSelected } from './llm.ts';

export function localKafka(env: NodeJS.ProcessEnv = process.env): LocalKafka {
  const config = loadPlatformConfig(env);
  const port = Number(config.KAFKA_BROKERS[0].split(':')[1]);
  return new LocalKafka({ home: config.FLYWHEEL_HOME, brokerPort: port, controllerPort: port + 1, logger: createLogger({ level: config.LOG_LEVEL }) });
}

/** The local multi-broker cluster (`stack up --brokers N`): node 1 on the KAFKA_BROKERS port, the others after it. */
export function localKafkaCluster(brokers: number, env: NodeJS.ProcessEnv = process.env): LocalKafkaCluster {
  const config = loadPlatformConfig(env);
  const basePort = Number(config.KAFKA_BROKERS[0].split(':')[1]);
  return new LocalKafkaCluster({ home: config.FLYWHEEL_HOME, brokers, basePort, logger: createLogger({ level: config.LOG_LEVEL }) });
}

/** The cluster formatted under FLYWHEEL_HOME, if `stack up --brokers N` ever ran there. */
function existingCluster(): LocalKafkaCluster | undefined {
  for (let brokers = 9; brokers > 1; brokers--) {
    const cluster = localKafkaCluster(brokers);
    if (cluster.exists() && cluster.nodes.every((n) => fs.existsSync(n.dir))) return cluster;
  }
  return undefined;
}

function parseBrokers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`--brokers: expected a whole number from 1 to 9, got ${JSON.stringify(value)}`);
  return n;
}

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('the local stack: a Kafka broker (KRaft) from Maven Central jars; ClickHouse is embedded');
  stack
    .command('install')
    .description('fetch the Apache Kafka jars from Maven Central into deploy/local/lib (once)')
    .action(() => {
      LocalKafka.installJars();
      console.log('Kafka jars ready in deploy/local/lib');
    });
  stack
    .command('up')
    .description('install the Kafka jars if needed, format storage on first use, start the broker(s) and wait for them')
    .option('--brokers <n>', 'start a cluster of n combined broker+controller nodes (topics at replication 3, min.insync.replicas 2)', parseBrokers, 1)
    .action(async (options: { brokers: number }) => {
      await upLocalLlmIfSelected();
      if (process.env.KAFKA_BROKERS && !process.env.FLYWHEEL_LOCAL_KAFKA) {
        console.log(`KAFKA_BROKERS=${process.env.KAFKA_BROKERS}: using that cluster, not starting a local broker`);
        return;
      }
      if (options.brokers > 1) {
        const single = localKafka();
        if (single.pid()) throw new Error(`the single local broker is running on ${single.bootstrap}: stop it first (flywheel stack down)`);
        const cluster = localKafkaCluster(options.brokers);
        const { started, bootstrap } = await cluster.up();
        console.log(`${started ? `started ${started} node(s)` : 'already running'}: Kafka cluster of ${options.brokers} at ${bootstrap} (data in ${cluster.dir})`);
        console.log(`use it with: KAFKA_BROKERS=${bootstrap} TOPIC_REPLICATION_FACTOR=${cluster.replicationFactor}`);
        return;
      }
      if (existingCluster()?.nodes.some((n) => n.pid())) throw new Error('a local Kafka cluster is running: stop it first (flywheel stack down)');
      const kafka = localKafka();
      const { started, bootstrap } = await kafka.up();
      console.log(`${started ? 'started' : 'already running'}: Kafka at ${bootstrap} (data in ${kafka.dir})`);
    });
  stack
    .command('down')
    .description('stop the local broker, or every node of the local cluster, cleanly')
    .action(async () => {
      await downLocalLlmIfRunning();
      const nodes = (await existingCluster()?.down()) ?? 0;
      const single = await localKafka().down();
      console.log(nodes || single ? `stopped${nodes ? ` ${nodes} cluster node(s)` : ''}${single ? ' the single broker' : ''}` : 'not running');
    });
  stack
    .command('status')
    .description('is the local broker (or each node of the local cluster) running and answering?')
    .action(async () => {
      const cluster = existingCluster();
      if (cluster?.nodes.some((n) => n.pid())) {
        const brokers = await cluster.status();
        console.log(JSON.stringify({ kafka: { bootstrap: cluster.bootstrap, dir: cluster.dir, brokers } }, null, 2));
        if (!brokers.every((b) => b.answers)) process.exitCode = 1;
        return;
      }
      const kafka = localKafka();
      const pid = kafka.pid();
      const answers = pid ? await kafka.answers() : false;
      console.log(JSON.stringify({ kafka: { bootstrap: kafka.bootstrap, pid: pid ?? null, answers, dir: kafka.dir } }, null, 2));
      if (!answers) process.exitCode = 1;
    });
  stack
    .command('reset')
    .description('stop the local broker (and the local cluster) and delete their data')
    .action(async () => {
      await existingCluster()?.reset();
      await localKafka().reset();
      console.log('reset');
    });
}
