import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Prices in USD per million tokens: {"model": {"input": 0.15, "output": 0.6}}. */
const pricesSchema = z.record(z.string().min(1), z.object({ input: z.number().min(0), output: z.number().min(0) }).strict());

/** Environment of the analytics sink (on top of the platform's CLICKHOUSE_*, KAFKA_*, HTTP_PORT…). */
export const analyticsConfigSchema = z.object({
  /** Flush a table to ClickHouse once this many of its rows are buffered (one insert per flush)… */
  ANALYTICS_BATCH_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** …or all tables once their buffered records take this many bytes together (bounds the sink's memory)… */
  ANALYTICS_BATCH_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
  /** …or this long after the first buffered row. */
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(10).default(1000),
  /** Longest wait between retries of a failed ClickHouse insert (the sink retries until ClickHouse is back). */
  ANALYTICS_RETRY_MAX_MS: z.coerce.number().int().min(10).default(30_000),
  /** Consumer-lag snapshots into consumer_lag every this many ms; 0 disables. */
  ANALYTICS_LAG_EVERY_MS: z.coerce.number().int().min(0).default(30_000),
  ANALYTICS_MODEL_PRICES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return pricesSchema.parse(JSON.parse(text));
      } catch (error) {
        const why = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') : (error as Error).message;
        ctx.addIssue({ code: 'custom', message: `expected {"<model>": {"input": <usd per Mtok>, "output": <usd per Mtok>}} (${why})` });
        return z.NEVER;
      }
    }),
  /** Serve read-only SQL on POST /query of HTTP_PORT (what `flywheel sql` uses while the sink owns chdb). */
  ANALYTICS_QUERY_ENDPOINT: booleanFlag.default(true),
  /** Consumer group; defaults to `<TOPIC_PREFIX>fw.analytics`. */
  ANALYTICS_GROUP_ID: z.string().optional(),
});

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
