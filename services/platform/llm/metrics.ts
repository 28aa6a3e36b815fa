import client from 'prom-client';
import type { LlmGovernor } from './governor.ts';

/** Every governor of the process: the gauges read them when scraped. */
const governors = new Set<LlmGovernor>();
const sum = (read: (g: LlmGovernor) => number) => [...governors].reduce((total, g) => total + read(g), 0);

type Labels<N extends string> = client.Counter<N>;

/**
 * LLM metrics on the given registry (a stage's, so they appear on its /metrics) or prom-client's default one.
 * Several clients in one process share the series: an existing metric of the same name is reused.
 */
export class LlmMetrics {
  readonly requests: Labels<'purpose' | 'model' | 'outcome'>;
  readonly retries: Labels<'purpose' | 'model' | 'reason'>;
  readonly tokens: Labels<'purpose' | 'model' | 'kind'>;
  readonly costUsd: Labels<'purpose' | 'model'>;
  readonly cache: Labels<'purpose' | 'result'>;
  readonly seconds: client.Histogram<'purpose' | 'model'>;
  readonly inFlight: client.Gauge;
  readonly queued: client.Gauge;
  readonly concurrencyLimit: client.Gauge;

  constructor(readonly registry: client.Registry = client.register) {
    this.requests = this.counter('flywheel_llm_requests_total', 'LLM chat calls by outcome (ok, cached, or the error code)', ['purpose', 'model', 'outcome']);
    this.retries = this.counter('flywheel_llm_retries_total', 'LLM attempts retried, by reason (rate_limited, server_error, timeout, …)', ['purpose', 'model', 'reason']);
    this.tokens = this.counter('flywheel_llm_tokens_total', 'Tokens billed by the endpoint (kind = input | output); cache hits excluded', ['purpose', 'model', 'kind']);
    this.costUsd = this.counter('flywheel_llm_cost_usd_total', 'Cost in USD by the configured price table', ['purpose', 'model']);
    this.cache = this.counter('flywheel_llm_cache_total', 'Response cache lookups (result = hit | miss | bypass)', ['purpose', 'result']);
    this.seconds = this.metric('flywheel_llm_request_seconds', () => new client.Histogram({
      name: 'flywheel_llm_request_seconds', help: 'Time of one LLM call including queueing and retries', labelNames: ['purpose', 'model'],
      registers: [this.registry], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }));
    this.inFlight = this.gauge('flywheel_llm_in_flight', 'LLM requests being sent now', (g) => g.inFlight);
    this.queued = this.gauge('flywheel_llm_queued', 'LLM requests waiting for the governor', (g) => g.queued);
    this.concurrencyLimit = this.gauge('flywheel_llm_concurrency_limit', 'Current adaptive limit of LLM requests in flight (summed over endpoints)', (g) => g.concurrencyLimit);
  }

  /** Adds a governor to what the in-flight, queued and limit gauges report. */
  watch(governor: LlmGovernor): void {
    governors.add(governor);
  }

  private counter<N extends string>(name: string, help: string, labelNames: N[]): client.Counter<N> {
    return this.metric(name, () => new client.Counter({ name, help, labelNames, registers: [this.registry] }));
  }

  private gauge(name: string, help: string, read: (g: LlmGovernor) => number): client.Gauge {
    return this.metric(name, () => new client.Gauge({ name, help, registers: [this.registry], collect() { this.set(sum(read)); } }));
  }

  private metric<M>(name: string, create: () => M): M {
    return (this.registry.getSingleMetric(name) as M | undefined) ?? create();
  }
}
