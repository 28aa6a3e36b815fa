import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError, errorMessage } from '../errors.ts';
import { backoffDelay, type RetryPolicy } from '../runtime/retry.ts';

/** Waits longer than this a server asks for are not sat out here: the record goes back to the runtime instead. */
const MAX_RETRY_AFTER_MS = 120_000;
import type { ClassifiedFailure } from './errors.ts';

export interface GovernorLimits {
  maxInFlight: number;
  /** 0 = unlimited */
  requestsPerMinute: number;
  /** 0 = unlimited; prompt + completion tokens */
  tokensPerMinute: number;
}

/** What one attempt throws when it failed: the failure already sorted by `classifyFailure`. */
export class CallFailure extends Error {
  constructor(readonly failure: ClassifiedFailure, override readonly cause: unknown) {
    super(`${failure.reason}${failure.status ? ` (HTTP ${failure.status})` : ''}: ${errorMessage(cause)}`);
    this.name = 'CallFailure';
  }
}

export interface GovernorEvents {
  onRetry?(failure: ClassifiedFailure, attempt: number, delayMs: number): void;
  onLimitChange?(limit: number): void;
  onInFlightChange?(inFlight: number, queued: number): void;
}

/** A token bucket refilled continuously; capacity is ten seconds' worth so a fresh process cannot burst a whole minute. */
class Bucket {
  private level: number;
  private last = Date.now();
  readonly capacity: number;

  constructor(private readonly perMinute: number) {
    this.capacity = Math.max(1, perMinute / 6);
    this.level = this.capacity;
  }

  /** ms until `amount` is available (0: now). */
  waitFor(amount: number): number {
    this.refill();
    const need = Math.min(amount, this.capacity);
    return this.level >= need ? 0 : Math.ceil(((need - this.level) * 60_000) / this.perMinute);
  }

  take(amount: number): void {
    this.refill();
    // may go below zero (a big request is paid off before the next starts); a refund never overfills
    this.level = Math.min(this.capacity, this.level - amount);
  }

  private refill(): void {
    const now = Date.now();
    this.level = Math.min(this.capacity, this.level + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
  }
}

interface Waiter {
  tokens: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * One per process and endpoint: every LLM call of every stage waits here for a slot. It bounds requests in
 * flight, requests/min and tokens/min, and adapts: a 429 or 503 halves the concurrency limit and pauses all
 * callers until the server's Retry-After; successes raise the limit again one step at a time (AIMD).
 */
export class LlmGovernor {
  private inFlightCount = 0;
  private limitNow: number;
  private successesAtLimit = 0;
  private cooldownUntil = 0;
  private readonly queue: Waiter[] = [];
  private readonly watched = new Map<AbortSignal, { waiters: Set<Waiter>; onAbort: () => void }>();
  private readonly requests?: Bucket;
  private readonly tokens?: Bucket;
  private timer?: NodeJS.Timeout;
  /** Highest number of requests ever in flight at once (for the benchmark and tests). */
  peakInFlight = 0;
  private busyMs = 0;
  private lastChange = performance.now();

  constructor(
    readonly limits: GovernorLimits,
    readonly retry: RetryPolicy,
    private readonly events: GovernorEvents = {},
  ) {
    this.limitNow = limits.maxInFlight;
    if (limits.requestsPerMinute > 0) this.requests = new Bucket(limits.requestsPerMinute);
    if (limits.tokensPerMinute > 0) this.tokens = new Bucket(limits.tokensPerMinute);
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** ∫ requests-in-flight dt in ms: its growth over a period divided by the period is the mean in flight. */
  get inFlightMs(): number {
    this.account();
    return this.busyMs;
  }

  get queued(): number {
    return this.queue.length;
  }

  get concurrencyLimit(): number {
    return this.limitNow;
  }

  /**
   * Runs `attempt` under the limits, retrying retriable CallFailures with jittered backoff (never shorter than
   * a Retry-After). Spent retries end in a TransientError carrying retryAfterMs, so the stage runtime can retry
   * the record later or dead-letter it; non-retriable failures are rethrown as they are.
   */
  async run<T>(
    estimatedTokens: number,
    attempt: (n: number) => Promise<{ value: T; tokens: number }>,
    options: { signal?: AbortSignal; onRetry?: (failure: ClassifiedFailure, attempt: number, delayMs: number) => void } = {},
  ): Promise<T> {
    const { signal } = options;
    for (let n = 0; ; n++) {
      await this.acquire(estimatedTokens, signal);
      let outcome: { value: T; tokens: number } | undefined;
      let failure: unknown;
      try {
        outcome = await attempt(n);
      } catch (error) {
        failure = error;
      } finally {
        this.release();
      }
      if (outcome) {
        this.tokens?.take(outcome.tokens - estimatedTokens); // settle the estimate against what the server counted
        this.onSuccess();
        return outcome.value;
      }
      if (!(failure instanceof CallFailure) || !failure.failure.retriable) throw failure instanceof CallFailure ? failure.cause : failure;
      const { failure: f } = failure;
      // full jitter below the cap, but never sooner than the server asked
      const delay = Math.max(backoffDelay(this.retry, n), f.retryAfterMs ?? 0);
      if (f.reason === 'rate_limited' || f.status === 503) this.onOverload(Math.min(delay, MAX_RETRY_AFTER_MS));
      if (n >= this.retry.retries || delay > MAX_RETRY_AFTER_MS) {
        throw new TransientError(`LLM call failed after ${n + 1} attempts: ${failure.message}`, { cause: failure.cause, retryAfterMs: f.retryAfterMs ?? delay });
      }
      this.events.onRetry?.(f, n + 1, delay);
      options.onRetry?.(f, n + 1, delay);
      await sleep(delay, undefined, { signal });
    }
  }

  private acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { tokens, resolve, reject };
      this.queue.push(waiter);
      if (signal) this.watch(signal, waiter);
      this.pump();
    });
  }

  /**
   * A stage's signal lives as long as the stage and is shared by all its calls: one abort listener per signal
   * (not per call, which tripped MaxListenersExceededWarning), removed once its last waiter is admitted.
   */
  private watch(signal: AbortSignal, waiter: Waiter): void {
    let watched = this.watched.get(signal);
    if (!watched) {
      const waiters = new Set<Waiter>();
      const onAbort = () => {
        this.watched.delete(signal);
        for (const w of waiters) {
          const at = this.queue.indexOf(w);
          if (at >= 0) this.queue.splice(at, 1);
          w.reject(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.watched.set(signal, (watched = { waiters, onAbort }));
    }
    watched.waiters.add(waiter);
    const { resolve } = waiter;
    waiter.resolve = () => {
      watched.waiters.delete(waiter);
      if (!watched.waiters.size) {
        signal.removeEventListener('abort', watched.onAbort);
        this.watched.delete(signal);
      }
      resolve();
    };
  }

  private account(): void {
    const now = performance.now();
    this.busyMs += this.inFlightCount * (now - this.lastChange);
    this.lastChange = now;
  }

  private release(): void {
    this.account();
    this.inFlightCount--;
    this.pump();
  }

  /** Admits waiters in order while the limits allow; otherwise sleeps until the earliest moment one could. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const head = this.queue[0];
      if (this.inFlightCount >= this.limitNow) break; // release() pumps again
      const wait = Math.max(this.cooldownUntil - Date.now(), this.requests?.waitFor(1) ?? 0, this.tokens?.waitFor(head.tokens) ?? 0);
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        break;
      }
      this.queue.shift();
      this.requests?.take(1);
      this.tokens?.take(head.tokens);
      this.account();
      this.inFlightCount++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlightCount);
      head.resolve();
    }
    this.events.onInFlightChange?.(this.inFlightCount, this.queue.length);
  }

  private onOverload(pauseMs: number): void {
    this.cooldownUntil = Math.max(this.cooldownUntil, Date.now() + pauseMs);
    this.setLimit(Math.max(1, Math.floor(this.limitNow / 2)));
  }

  private onSuccess(): void {
    if (this.limitNow >= this.limits.maxInFlight) return;
    if (++this.successesAtLimit >= this.limitNow) this.setLimit(this.limitNow + 1);
  }

  private setLimit(limit: number): void {
    if (limit === this.limitNow) return;
    this.limitNow = limit;
    this.successesAtLimit = 0;
    this.events.onLimitChange?.(limit);
    this.pump();
  }
}
