import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { FlywheelError, type FlywheelErrorOptions } from '../errors.ts';

/**
 * The model answered, but not usefully: tool arguments that are not JSON, structured output that fails its
 * schema after the corrective retries. Not retriable by the runtime — the record goes to the DLQ.
 */
export class LlmOutputError extends FlywheelError {
  constructor(message: string, options?: FlywheelErrorOptions) {
    super('LLM_OUTPUT_INVALID', message, { ...options, retriable: false });
  }
}

/**
 * The reply hit max_tokens before the JSON was complete, also after one retry with a larger budget: the model
 * runs on (a schema too loose for it, or a budget too small). Not retriable; the record goes to the DLQ.
 */
export class LlmTruncatedError extends FlywheelError {
  constructor(message: string, options?: FlywheelErrorOptions) {
    super('LLM_OUTPUT_TRUNCATED', message, { ...options, retriable: false });
  }
}

/** The endpoint refused the request for good (400, 401, 403, 404, 422): retrying cannot help. */
export class LlmRequestError extends FlywheelError {
  constructor(message: string, options?: FlywheelErrorOptions) {
    super('LLM_REQUEST_REJECTED', message, { ...options, retriable: false });
  }
}

/** A streamed reply that ended before its finish_reason (connection cut mid-answer). */
export class TruncatedStreamError extends Error {
  constructor() {
    super('the response stream ended before the reply was complete');
    this.name = 'TruncatedStreamError';
  }
}

export type FailureReason = 'rate_limited' | 'server_error' | 'timeout' | 'network' | 'malformed_body' | 'truncated_stream' | 'rejected' | 'aborted';

export interface ClassifiedFailure {
  reason: FailureReason;
  retriable: boolean;
  /** From Retry-After / retry-after-ms headers, when the server sent one. */
  retryAfterMs?: number;
  status?: number;
}

/** Sorts a failed call into what the governor should do with it. */
export function classifyFailure(error: unknown, timedOut: boolean): ClassifiedFailure {
  if (timedOut) return { reason: 'timeout', retriable: true };
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError')) return { reason: 'aborted', retriable: false };
  if (error instanceof APIError && !(error instanceof APIConnectionError) && error.status !== undefined) {
    const status = error.status;
    const retryAfterMs = parseRetryAfter(error.headers);
    if (status === 429) return { reason: 'rate_limited', retriable: true, retryAfterMs, status };
    if (status >= 500 || status === 408 || status === 409) return { reason: 'server_error', retriable: true, retryAfterMs, status };
    return { reason: 'rejected', retriable: false, status };
  }
  if (error instanceof APIConnectionError) return { reason: 'network', retriable: true };
  if (error instanceof TruncatedStreamError) return { reason: 'truncated_stream', retriable: true };
  if (error instanceof SyntaxError) return { reason: 'malformed_body', retriable: true };
  if (error instanceof TypeError) return { reason: 'network', retriable: true }; // undici: "terminated", "fetch failed"
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|UND_ERR)/.test(code)) return { reason: 'network', retriable: true };
  return { reason: 'rejected', retriable: false };
}

/** Retry-After as seconds or an HTTP date; OpenAI-style retry-after-ms wins when present. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
