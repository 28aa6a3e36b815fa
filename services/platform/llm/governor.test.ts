import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../errors.ts';
import { CallFailure, LlmGovernor } from './governor.ts';

const fast = { retries: 2, initialMs: 1, maxMs: 5 };
const ok = async () => ({ value: 'ok', tokens: 10 });

describe('LlmGovernor', () => {
  it('leaves no abort listener on a long-lived caller signal once calls are done (the MaxListeners leak)', async () => {
    const governor = new LlmGovernor({ maxInFlight: 2, requestsPerMinute: 0, tokensPerMinute: 0 }, fast);
    const stage = new AbortController();
    let most = 0;
    const call = () => governor.run(10, async () => {
      most = Math.max(most, getEventListeners(stage.signal, 'abort').length);
      await sleep(1);
      return { value: 1, tokens: 10 };
    }, { signal: stage.signal });
    await Promise.all(Array.from({ length: 30 }, call));
    expect(most).toBe(1); // one listener for all 28 queued calls, not one each
    expect(getEventListeners(stage.signal, 'abort')).toHaveLength(0);
    // and an abort still reaches every queued call
    const blocked = Array.from({ length: 5 }, () => governor.run(10, () => sleep(50).then(() => ({ value: 1, tokens: 10 })), { signal: stage.signal }).catch((e) => e));
    stage.abort(new Error('stopping'));
    const outcomes = await Promise.all(blocked);
    expect(outcomes.filter((o) => o instanceof Error)).toHaveLength(3); // the two admitted ones finish
  });

  it('never lets more than maxInFlight run at once', async () => {
    const governor = new LlmGovernor({ maxInFlight: 3, requestsPerMinute: 0, tokensPerMinute: 0 }, fast);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        governor.run(10, async () => {
          peak = Math.max(peak, ++running);
          await sleep(5);
          running--;
          return { value: 1, tokens: 10 };
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(governor.peakInFlight).toBe(3);
  });

  it('holds requests beyond the requests/min and tokens/min budgets', async () => {
    const byRequests = new LlmGovernor({ maxInFlight: 10, requestsPerMinute: 6, tokensPerMinute: 0 }, fast); // one now, the next in 10 s
    const byTokens = new LlmGovernor({ maxInFlight: 10, requestsPerMinute: 0, tokensPerMinute: 600 }, fast); // 100 tokens now, 10/s after
    const started = { requests: 0, tokens: 0 };
    const controller = new AbortController();
    const pending = [
      ...Array.from({ length: 3 }, () => byRequests.run(1, async () => (started.requests++, { value: 1, tokens: 1 }), { signal: controller.signal })),
      ...Array.from({ length: 3 }, () => byTokens.run(80, async () => (started.tokens++, { value: 1, tokens: 80 }), { signal: controller.signal })),
    ];
    await sleep(200);
    expect(started).toEqual({ requests: 1, tokens: 1 });
    controller.abort();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(4); // the queued ones leave on abort
  });

  it('halves its limit on 429 and climbs back on successes', async () => {
    const governor = new LlmGovernor({ maxInFlight: 8, requestsPerMinute: 0, tokensPerMinute: 0 }, fast);
    let first = true;
    await governor.run(10, async () => {
      if (first) {
        first = false;
        throw new CallFailure({ reason: 'rate_limited', retriable: true, retryAfterMs: 1, status: 429 }, new Error('429'));
      }
      return { value: 1, tokens: 10 };
    });
    expect(governor.concurrencyLimit).toBe(4);
    for (let i = 0; i < 30; i++) await governor.run(10, ok);
    expect(governor.concurrencyLimit).toBe(8);
  });

  it('ends spent retries in a TransientError and passes non-retriable failures through untouched', async () => {
    const governor = new LlmGovernor({ maxInFlight: 2, requestsPerMinute: 0, tokensPerMinute: 0 }, fast);
    let calls = 0;
    const down = () => {
      calls++;
      throw new CallFailure({ reason: 'server_error', retriable: true, status: 502, retryAfterMs: 3 }, new Error('bad gateway'));
    };
    const error = (await governor.run(10, async () => down()).catch((e) => e)) as TransientError;
    expect(error).toBeInstanceOf(TransientError);
    expect(error.retryAfterMs).toBe(3);
    expect(calls).toBe(3);
    const cause = new Error('400 bad request');
    const rejected = await governor
      .run(10, async () => {
        throw new CallFailure({ reason: 'rejected', retriable: false, status: 400 }, cause);
      })
      .catch((e) => e);
    expect(rejected).toBe(cause);
    expect(governor.inFlight).toBe(0);
  });
});
