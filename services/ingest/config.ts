import { z } from 'zod';

const list = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean));

/** Environment of the ingest stage (read once at start-up; a bad value fails naming the variable). */
export const ingestConfigSchema = z.object({
  /** Keep only these languages (ISO 639-1, or 639-3 where franc has no 639-1 code), e.g. `en,bg`; empty keeps all. */
  INGEST_LANGUAGES: list,
  INGEST_MIN_WORDS: z.coerce.number().int().min(0).default(12),
  INGEST_MAX_CHARS: z.coerce.number().int().min(1000).default(20000),
  INGEST_MAX_SYMBOL_RATIO: z.coerce.number().min(0).max(1).default(0.1),
  INGEST_MAX_REPETITION: z.coerce.number().min(0).max(1).default(0.3),
  /** Fact filter: documents with fewer checkable statements are dropped. */
  INGEST_MIN_FACT_SENTENCES: z.coerce.number().int().min(0).default(1),
  /** Estimated Jaccard similarity (MinHash over word 5-grams) at or above which a document is a near duplicate. */
  INGEST_NEAR_DUP_THRESHOLD: z.coerce.number().min(0.1).max(1).default(0.8),
  /** Reload the dedup state from fw.ingest.signatures at start-up (off only for throw-away runs). */
  INGEST_DEDUP_RELOAD: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
