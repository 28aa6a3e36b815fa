import type { DeadLetter } from '../generated/records.ts';
import { contentId } from '../records.ts';
import { errorCode, errorMessage } from '../errors.ts';

/** Kafka headers every dead letter carries, so tools can route it without decoding the envelope. */
export const DLQ_HEADERS = {
  stage: 'fw-stage',
  errorCode: 'fw-error-code',
  error: 'fw-error',
  topic: 'fw-original-topic',
  partition: 'fw-original-partition',
  offset: 'fw-original-offset',
  attempts: 'fw-attempts',
} as const;

export interface FailedMessage {
  stage: string;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  error: unknown;
  attempts: number;
}

export function deadLetter(failed: FailedMessage, now = Date.now()): { value: DeadLetter; headers: Record<string, string> } {
  const message = errorMessage(failed.error).slice(0, 4000);
  const value: DeadLetter = {
    // one dead letter per (stage, input position): a replayed batch overwrites rather than duplicates
    id: contentId('dlq', failed.stage, failed.topic, failed.partition, failed.offset),
    stage: failed.stage,
    error_code: errorCode(failed.error),
    error_message: message,
    attempts: failed.attempts,
    original_topic: failed.topic,
    original_partition: failed.partition,
    original_offset: Number(failed.offset),
    original_key: failed.key,
    original_value: failed.value,
    original_headers: failed.headers,
    failed_at: now,
  };
  const headers = {
    [DLQ_HEADERS.stage]: failed.stage,
    [DLQ_HEADERS.errorCode]: value.error_code,
    [DLQ_HEADERS.error]: message.slice(0, 500),
    [DLQ_HEADERS.topic]: failed.topic,
    [DLQ_HEADERS.partition]: String(failed.partition),
    [DLQ_HEADERS.offset]: failed.offset,
    [DLQ_HEADERS.attempts]: String(failed.attempts),
  };
  return { value, headers };
}

export function headersToStrings(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}
