import { describe, expect, it } from 'vitest';
import { PoisonRecordError, TransientError } from '../errors.ts';
import { backoffDelay, withRetry } from './retry.ts';

const policy = { retries: 3, initialMs: 1, maxMs: 5 };

describe('withRetry', () => {
  it('retries transient errors and returns the value', async () => {
    let calls = 0;
    const outcome = await withRetry(async () => {
      if (++calls < 3) throw new TransientError('flaky');
      return 'ok';
    }, policy);
    expect(outcome).toEqual({ value: 'ok', attempts: 3 });
  });

  it('never retries a poison record', async () => {
    let calls = 0;
    const outcome = await withRetry(async () => {
      calls++;
      throw new PoisonRecordError('bad');
    }, policy);
    expect(calls).toBe(1);
    expect(outcome.error).toBeInstanceOf(PoisonRecordError);
  });

  it('gives up after the configured retries', async () => {
    const outcome = await withRetry(async () => {
      throw new TransientError('down');
    }, policy);
    expect(outcome.attempts).toBe(4);
    expect(outcome.error).toBeInstanceOf(TransientError);
  });

  it('continues from a first attempt the caller made itself', async () => {
    let calls = 0;
    const outcome = await withRetry(async (attempt) => {
      calls++;
      if (attempt < 2) throw new TransientError('flaky');
      return attempt;
    }, policy, {}, { error: new TransientError('first') });
    expect(calls).toBe(2);
    expect(outcome).toEqual({ value: 2, attempts: 3 });
    const poison = await withRetry(async () => 'never', policy, {}, { error: new PoisonRecordError('bad') });
    expect(poison).toMatchObject({ attempts: 1 });
    expect(poison.error).toBeInstanceOf(PoisonRecordError);
  });

  it('backs off exponentially within the cap and honours Retry-After', () => {
    const p = { retries: 10, initialMs: 100, maxMs: 1000 };
    const half = () => 0.5;
    expect(backoffDelay(p, 0, undefined, half)).toBe(75);
    expect(backoffDelay(p, 3, undefined, half)).toBe(600);
    expect(backoffDelay(p, 9, undefined, half)).toBe(750);
    expect(backoffDelay(p, 0, new TransientError('429', { retryAfterMs: 2000 }), half)).toBe(2000);
  });
});
