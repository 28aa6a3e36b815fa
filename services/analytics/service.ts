import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseError } from '@clickhouse/client';
import { createSerde } from '../platform/avro/serde.ts';
import { topicCatalogue, TopicNames } from '../platform/catalogue.ts';
import { createClickHouse, type ClickHouseClient, type RawInsert } from '../platform/clickhouse.ts';
import { loadConfig, loadPlatformConfig } from '../platform/config.ts';
import { createKafka } from '../platform/kafka/client.ts';
import { KafkaCluster } from '../platform/kafka/cluster.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { StageMetrics } from '../platform/runtime/metrics.ts';
import { ProgressReporter } from '../platform/runtime/progress.ts';
import { analyticsConfigSchema, type AnalyticsConfig } from './config.ts';
import { applyDdl } from './ddl.ts';
import { startLagSnapshots } from './lag.ts';
import { claimFolder } from './owner.ts';
import { embeddedDataDir } from './querier.ts';
import { startAnalyticsServer } from './server.ts';
import { AnalyticsSink, clickHouseWriter, SINK_STAGE, type RowWriter } from './sink.ts';
import { analyticsTables } from './tables.ts';

export interface StartAnalyticsOptions {
  /** The service's environment (the CLI passes its own). */
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Serve /healthz, /readyz, /metrics and /query on HTTP_PORT (default true). */
  http?: boolean;
  /** Log progress every this many ms (0 disables). */
  progressEveryMs?: number;
  /** Wraps the ClickHouse writer (tests use it to make ClickHouse fail for a while). */
  wrapWriter?: (writer: RowWriter) => RowWriter;
}

export interface RunningAnalytics {
  readonly groupId: string;
  readonly inputs: string[];
  readonly httpPort?: number;
  readonly database: string;
  readonly client: ClickHouseClient;
  /** The embedded engine's Buffer insert (absent with a server), for writers into other databases. */
  readonly rawInsert?: RawInsert;
  readonly sink: AnalyticsSink;
  readonly config: AnalyticsConfig;
  readonly metrics: StageMetrics;
  ready(): boolean;
  /** Takes a consumer-lag snapshot now (also done every ANALYTICS_LAG_EVERY_MS). */
  snapshotLag(): Promise<number>;
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the analytics service: DDL, then the sink from every catalogue topic into ClickHouse. */
export async function startAnalytics(options: StartAnalyticsOptions): Promise<RunningAnalytics> {
  const env = options.env;
  const platform = loadPlatformConfig(env);
  const config = loadConfig(analyticsConfigSchema, env);
  const logger = (options.logger ?? createLogger({ level: platform.LOG_LEVEL })).child({ stage: SINK_STAGE });
  const database = platform.CLICKHOUSE_DATABASE;
  const dataDir = embeddedDataDir(platform);
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((err) => logger.warn({ err }, 'cleanup step failed'));
    cleanups.length = 0;
  };
  try {
    if (!platform.CLICKHOUSE_URL) cleanups.push(claimFolder(dataDir, { database, holder: 'the analytics service' }));
    const { client, embedded, location, rawInsert } = await createClickHouse(platform);
    cleanups.push(() => client.close());
    const tables = analyticsTables();
    const metrics = new StageMetrics();
    let sink: AnalyticsSink | undefined;
    const ready = () => Boolean(sink?.joined && !sink.degraded);

    // health first: while ClickHouse is unreachable at start the service is live but not ready
    let httpPort: number | undefined;
    if (options.http !== false) {
      const server = await startAnalyticsServer(platform.HTTP_PORT, { live: () => !sink?.crashed, ready }, metrics.registry, config.ANALYTICS_QUERY_ENDPOINT ? client : undefined);
      httpPort = server.port;
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      if (!platform.CLICKHOUSE_URL && config.ANALYTICS_QUERY_ENDPOINT) claimFolder(dataDir, { database, holder: 'the analytics service', url: `http://127.0.0.1:${httpPort}` });
    }

    const ddl = await whenClickHouseAnswers(() => applyDdl(client, database, tables), config, logger, location);
    if (embedded) await client.command({ query: `USE ${database}` }); // so /query resolves unqualified names
    await storePrices(client, database, config);
    logger.info({ clickhouse: location, database, statements: ddl.statements, addedColumns: ddl.addedColumns }, 'analytics DDL applied');

    const names = new TopicNames(platform.TOPIC_PREFIX);
    const catalogue = topicCatalogue();
    const kafka = createKafka(platform, logger, SINK_STAGE);
    const cluster = new KafkaCluster(kafka, platform.TOPIC_REPLICATION_FACTOR);
    await cluster.ensureTopics(catalogue, names);

    const progress = new ProgressReporter(logger, options.progressEveryMs ?? 10_000);
    const baseWriter = clickHouseWriter(client, database, rawInsert);
    const writer = options.wrapWriter ? options.wrapWriter(baseWriter) : baseWriter;
    const groupId = config.ANALYTICS_GROUP_ID ?? names.physical(`fw.${SINK_STAGE}`);
    let stopService = (): void => undefined;
    sink = new AnalyticsSink({
      kafka, writer, names, catalogue, serde: createSerde({ schemaRegistryUrl: platform.SCHEMA_REGISTRY_URL }), tables, config, groupId, logger, metrics, progress,
      onFatal: () => stopService(),
    });

    const lag = startLagSnapshots({ kafka: cluster, prefix: platform.TOPIC_PREFIX, writer: baseWriter, everyMs: config.ANALYTICS_LAG_EVERY_MS, logger });
    cleanups.push(() => lag.stop());
    const started = sink;
    await started.start();
    cleanups.push(() => started.stop());
    progress.start();
    cleanups.push(() => progress.stop());
    logger.info({ groupId, topics: started.inputs().length, httpPort, queryEndpoint: config.ANALYTICS_QUERY_ENDPOINT }, 'analytics sink started');

    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let stopping: Promise<void> | undefined;
    const running: RunningAnalytics = {
      groupId,
      inputs: started.inputs(),
      httpPort,
      database,
      client,
      rawInsert,
      sink: started,
      config,
      metrics,
      ready,
      snapshotLag: () => lag.tick(),
      done,
      stop() {
        stopping ??= (async () => {
          await cleanup();
          logger.info(progress.summary(), 'analytics sink stopped');
          resolveDone();
        })();
        return stopping;
      },
    };
    stopService = () => void running.stop();
    return running;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Runs `work` until ClickHouse answers: connection failures (server down, not yet started) are retried with
 * backoff; an error ClickHouse itself reports (bad DDL, permissions) is not, and stops the service.
 */
async function whenClickHouseAnswers<T>(work: () => Promise<T>, config: AnalyticsConfig, logger: Logger, location: string): Promise<T> {
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (isClickHouseAnswer(error)) throw error;
      logger.warn({ err: (error as Error).message, clickhouse: location, attempt, retryInMs: delay }, 'ClickHouse does not answer yet; waiting');
      await sleep(delay);
      delay = Math.min(delay * 2, config.ANALYTICS_RETRY_MAX_MS);
    }
  }
}

/** An error ClickHouse sent back (the embedded engine's errors come from its own copy of the client's classes). */
function isClickHouseAnswer(error: unknown): boolean {
  return error instanceof ClickHouseError || (error as { constructor?: { name?: string } })?.constructor?.name === 'ClickHouseError';
}

async function storePrices(client: ClickHouseClient, database: string, config: AnalyticsConfig): Promise<void> {
  const rows = Object.entries(config.ANALYTICS_MODEL_PRICES).map(([model, p]) => ({ model, input_usd_per_mtok: p.input, output_usd_per_mtok: p.output }));
  if (rows.length) await client.insert({ table: `${database}.model_prices`, values: rows, format: 'JSONEachRow' });
}
