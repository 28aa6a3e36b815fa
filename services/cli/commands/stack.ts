import type { Command } from 'commander';
import { loadPlatformConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { LocalKafka } from '../../platform/stack/kafka-local.ts';
import { downLocalLlmIfRunning, upLocalLlmIfSelected } from './llm.ts';

export function localKafka(env: NodeJS.ProcessEnv = process.env): LocalKafka {
  const config = loadPlatformConfig(env);
  const port = Number(config.KAFKA_BROKERS[0].split(':')[1]);
  return new LocalKafka({ home: config.FLYWHEEL_HOME, brokerPort: port, controllerPort: port + 1, logger: createLogger({ level: config.LOG_LEVEL }) });
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
    .description('install the Kafka jars if needed, format storage on first use, start the broker and wait for it')
    .action(async () => {
      await upLocalLlmIfSelected();
      if (process.env.KAFKA_BROKERS && !process.env.FLYWHEEL_LOCAL_KAFKA) {
        console.log(`KAFKA_BROKERS=${process.env.KAFKA_BROKERS}: using that cluster, not starting a local broker`);
        return;
      }
      const kafka = localKafka();
      const { started, bootstrap } = await kafka.up();
      console.log(`${started ? 'started' : 'already running'}: Kafka at ${bootstrap} (data in ${kafka.dir})`);
    });
  stack
    .command('down')
    .description('stop the local broker cleanly')
    .action(async () => {
      await downLocalLlmIfRunning();
      console.log((await localKafka().down()) ? 'stopped' : 'not running');
    });
  stack
    .command('status')
    .description('is the local broker running and answering?')
    .action(async () => {
      const kafka = localKafka();
      const pid = kafka.pid();
      const answers = pid ? await kafka.answers() : false;
      console.log(JSON.stringify({ kafka: { bootstrap: kafka.bootstrap, pid: pid ?? null, answers, dir: kafka.dir } }, null, 2));
      if (!answers) process.exitCode = 1;
    });
  stack
    .command('reset')
    .description('stop the local broker and delete its data')
    .action(async () => {
      await localKafka().reset();
      console.log('reset');
    });
}
