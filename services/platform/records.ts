import { hash } from 'node:crypto';
import type { Producer } from './generated/records.ts';

/** Fields every flywheel record carries. */
export interface RecordMeta {
  id: string;
  round: number;
  parent_ids: string[];
  producer: Producer;
  created_at: number;
}

/**
 * Deterministic content id: sha256 over a stable JSON rendering of `parts`, prefixed by the record kind so
 * that different record types never share an id. The same content always yields the same id, which is what
 * makes re-ingest idempotent and ClickHouse deduplication possible.
 */
export function contentId(kind: string, ...parts: unknown[]): string {
  // parts without objects render the same with or without the key-sorting replacer, which is the slow part
  const json = parts.every((p) => typeof p !== 'object' || p === null) ? JSON.stringify(parts) : stableJson(parts);
  return `${kind}_${hash('sha256', json, 'hex').slice(0, 32)}`;
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Builds the common header of a record derived from `parents`. */
export function recordMeta(options: { id: string; round: number; producer: Producer; parents?: string[]; now?: number }): RecordMeta {
  return {
    id: options.id,
    round: options.round,
    parent_ids: [...new Set(options.parents ?? [])],
    producer: options.producer,
    created_at: options.now ?? Date.now(),
  };
}
