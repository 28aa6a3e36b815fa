import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Environment of `flywheel ui` (on top of the platform's CLICKHOUSE_*, KAFKA_*, TOPIC_PREFIX…); flags override. */
export const viewerConfigSchema = z.object({
  /** Address the page binds to: loopback by default, `0.0.0.0` in a pod. */
  VIEWER_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  VIEWER_PORT: z.coerce.number().int().min(0).max(65535).default(8089),
  /** Read-only mode refuses DLQ re-drive (the only action that writes, and it writes to Kafka, never ClickHouse). */
  VIEWER_READ_ONLY: booleanFlag.default(true),
  /** Rows per table page. */
  VIEWER_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(50),
});

export type ViewerConfig = z.infer<typeof viewerConfigSchema>;
