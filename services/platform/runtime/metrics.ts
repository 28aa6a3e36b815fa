import client from 'prom-client';

/** The standard metrics the runtime records for every stage; a stage adds domain counters via `drops`. */
export class StageMetrics {
  readonly registry: client.Registry;
  readonly recordsIn: client.Counter<'stage' | 'topic'>;
  readonly recordsOut: client.Counter<'stage' | 'topic'>;
  readonly deadLettered: client.Counter<'stage' | 'code'>;
  readonly retries: client.Counter<'stage'>;
  readonly drops: client.Counter<'stage' | 'reason'>;
  readonly transactions: client.Counter<'stage' | 'outcome'>;
  readonly inFlight: client.Gauge<'stage'>;
  readonly lag: client.Gauge<'stage' | 'topic' | 'partition'>;
  readonly ready: client.Gauge<'stage'>;
  readonly unready: client.Counter<'stage' | 'reason'>;
  readonly processSeconds: client.Histogram<'stage'>;
  readonly transactionSeconds: client.Histogram<'stage'>;

  constructor(registry: client.Registry = new client.Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.recordsIn = new client.Counter({ name: 'flywheel_records_in_total', help: 'Records consumed', labelNames: ['stage', 'topic'], registers });
    this.recordsOut = new client.Counter({ name: 'flywheel_records_out_total', help: 'Records produced (committed)', labelNames: ['stage', 'topic'], registers });
    this.deadLettered = new client.Counter({ name: 'flywheel_records_dead_lettered_total', help: 'Records sent to the DLQ', labelNames: ['stage', 'code'], registers });
    this.retries = new client.Counter({ name: 'flywheel_retries_total', help: 'Retries of transient failures', labelNames: ['stage'], registers });
    this.drops = new client.Counter({ name: 'flywheel_drops_total', help: 'Records filtered out, by reason', labelNames: ['stage', 'reason'], registers });
    this.transactions = new client.Counter({ name: 'flywheel_transactions_total', help: 'Kafka transactions by outcome', labelNames: ['stage', 'outcome'], registers });
    this.inFlight = new client.Gauge({ name: 'flywheel_in_flight_records', help: 'Records being processed', labelNames: ['stage'], registers });
    this.lag = new client.Gauge({ name: 'flywheel_consumer_lag', help: 'Records behind the end of each input partition', labelNames: ['stage', 'topic', 'partition'], registers });
    this.ready = new client.Gauge({ name: 'flywheel_ready', help: 'What /readyz says: 1 ready, 0 not', labelNames: ['stage'], registers });
    this.unready = new client.Counter({ name: 'flywheel_unready_total', help: 'Times the stage turned not ready, by reason', labelNames: ['stage', 'reason'], registers });
    this.processSeconds = new client.Histogram({
      name: 'flywheel_process_seconds', help: 'Time to process one record', labelNames: ['stage'], registers,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    });
    this.transactionSeconds = new client.Histogram({
      name: 'flywheel_transaction_seconds', help: 'Time to produce and commit one transaction', labelNames: ['stage'], registers,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    });
    client.collectDefaultMetrics({ register: registry, prefix: 'flywheel_process_' });
  }
}
