import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { projectRoot } from './paths.ts';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Settings every flywheel process reads from its environment. A stage adds its own schema with
 * `loadConfig(stageSchema)`; both are parsed once at start-up, before anything connects.
 */
export const platformConfigSchema = z.object({
  FLYWHEEL_HOME: z.string().default(path.join(projectRoot, '.flywheel')),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((b) => /^[^:\s]+:\d+$/.test(b)), 'expected host:port[,host:port…]'),
  KAFKA_CLIENT_ID: z.string().default('flywheel'),
  KAFKA_SSL: booleanFlag.default(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** Codec of every record batch this process produces; unset: zstd (bench/compression.ts), gzip without its codec. */
  KAFKA_COMPRESSION: z.enum(['none', 'gzip', 'lz4', 'zstd']).optional(),
  /** Prepended to every catalogue topic name: lets tests and tenants share one cluster. */
  /** Replication factor of the topics flywheel creates, instead of the catalogue's (3 on `stack up --brokers 3`); min.insync.replicas is one less. */
  TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).optional(),
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only').default(''),
  SCHEMA_REGISTRY_URL: z.string().url().optional(),
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z.string().regex(/^\w+$/).default('flywheel'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Port of /metrics, /healthz and /readyz; 0 picks a free port. */
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  FLYWHEEL_ROUND: z.coerce.number().int().min(1).default(1),
  INSTANCE_ID: z.string().default(os.hostname()),
  /** Records processed at once by one partition's batch. */
  STAGE_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(8),
  /** Upper bound of records per Kafka transaction. */
  STAGE_MAX_BATCH: z.coerce.number().int().min(1).max(100000).default(500),
  STAGE_MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(5),
  STAGE_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(200),
  STAGE_RETRY_MAX_MS: z.coerce.number().int().min(1).default(30000),
  /** Partitions of one consumer processed in parallel. */
  STAGE_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(2),
  /** SIGTERM drains the current batch; past this deadline the process gives up and exits non-zero (the partition's next owner redoes it). */
  STAGE_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  /** A stage that reloads its state from a topic at start (ingest, fas, memory entities) fails to start when that takes longer. */
  STAGE_STATE_LOAD_TIMEOUT_MS: z.coerce.number().int().min(1).default(300000),
});

export type PlatformConfig = z.infer<typeof platformConfigSchema>;

/** Parses `env` with `schema`; on failure throws one ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const value = issue.path.length ? env[String(issue.path[0])] : undefined;
    const shown = value === undefined ? 'unset' : JSON.stringify(redactIfSecret(variable, value));
    return `${variable}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const config = loadConfig(platformConfigSchema, env);
  if (config.KAFKA_SASL_MECHANISM && !(config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD)) {
    throw new ConfigError('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set');
  }
  return config;
}

function redactIfSecret(name: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN|API_KEY/i.test(name)) return '[redacted]';
  return value.replace(/[^\s/@]+:[^\s/@]+@/g, '[redacted]@'); // credentials inside a URL
}
