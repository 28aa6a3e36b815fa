import type { Logger } from '../logger.ts';

/** Periodic progress lines (records/s, lag, ETA) for long-running work, and a closing summary. */
export class ProgressReporter {
  private total = 0;
  private lastTotal = 0;
  private lastAt = Date.now();
  private readonly startedAt = Date.now();
  private readonly lags = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    if (this.everyMs > 0) this.timer = setInterval(() => this.report(), this.everyMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  add(records: number): void {
    this.total += records;
  }

  setLag(partition: string, lag: number): void {
    this.lags.set(partition, Math.max(0, lag));
  }

  lag(): number {
    let sum = 0;
    for (const v of this.lags.values()) sum += v;
    return sum;
  }

  summary(): { records: number; seconds: number; records_per_s: number } {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return { records: this.total, seconds: Math.round(seconds * 10) / 10, records_per_s: Math.round(this.total / Math.max(seconds, 0.001)) };
  }

  private report(): void {
    const now = Date.now();
    const rate = ((this.total - this.lastTotal) * 1000) / Math.max(1, now - this.lastAt);
    this.lastTotal = this.total;
    this.lastAt = now;
    const lag = this.lag();
    if (rate === 0 && lag === 0) return;
    this.logger.info({ records: this.total, records_per_s: Math.round(rate), lag, eta_s: rate > 0 ? Math.round(lag / rate) : null }, 'progress');
  }
}
