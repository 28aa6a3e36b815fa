import { setTimeout as sleep } from 'node:timers/promises';
import { FlywheelError, isRetriable } from '../errors.ts';

export interface RetryPolicy {
  retries: number;
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter, capped at maxMs; a server's Retry-After wins when larger. */
export function backoffDelay(policy: RetryPolicy, attempt: number, error?: unknown, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const asked = error instanceof FlywheelError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, Math.min(asked, policy.maxMs * 4));
}

export interface RetryOutcome<T> {
  value?: T;
  error?: unknown;
  attempts: number;
}

/**
 * Runs `fn` until it succeeds, throws a non-retriable error, or the policy's retries are spent.
 * Never throws: the caller routes the final error (to the DLQ, in the stage runtime). `firstAttempt` is the error
 * of a first attempt the caller already made itself (the stage runtime's fast path): retrying starts from there.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: { onRetry?: (error: unknown, attempt: number, delayMs: number) => void | Promise<void>; signal?: AbortSignal } = {},
  firstAttempt?: { error: unknown },
): Promise<RetryOutcome<T>> {
  for (let attempt = 0; ; attempt++) {
    let error: unknown;
    if (attempt === 0 && firstAttempt) {
      error = firstAttempt.error;
    } else {
      try {
        return { value: await fn(attempt), attempts: attempt + 1 };
      } catch (thrown) {
        error = thrown;
      }
    }
    if (!isRetriable(error) || attempt >= policy.retries || hooks.signal?.aborted) return { error, attempts: attempt + 1 };
    const delay = backoffDelay(policy, attempt, error);
    await hooks.onRetry?.(error, attempt + 1, delay);
    await sleep(delay, undefined, { signal: hooks.signal }).catch(() => undefined);
  }
}
