import type { Logger } from '../logger.ts';
import type { StageMetrics } from './metrics.ts';

/** Why a stage is not ready: what /readyz, the `flywheel_ready` gauge and the 'readiness changed' log line say. */
export type UnreadyReason = 'joining' | 'rebalancing' | 'restarting' | 'broker-unreachable' | 'stopping' | 'crashed';

/** A broker the stage failed to reach keeps it unready this long after the last failure (a failover takes seconds). */
export const UNREACHABLE_HOLD_MS = 5000;

/**
 * The truth behind /readyz: a member of its group with an assignment (not while the group rebalances or the
 * consumer restarts), every broker it talks to reachable (a connection refused or timed out within the last
 * UNREACHABLE_HOLD_MS counts against it), and not stopping. Transitions are logged and counted by reason.
 */
export class Readiness {
  private state: UnreadyReason | undefined = 'joining';
  private lastUnreachable = -Infinity;
  private lastBroker?: string;
  private reported: UnreadyReason | 'ready' = 'joining';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly stage: string,
    private readonly metrics: StageMetrics,
    private readonly logger: Logger,
  ) {
    this.metrics.ready.set({ stage }, 0);
    this.metrics.unready.inc({ stage, reason: 'joining' });
    // 'broker-unreachable' ends by time alone: look again now and then so that the log and the gauge follow
    this.timer = setInterval(() => this.report(), 500).unref();
  }

  /** A group member with an assignment again. */
  joined(): void {
    if (this.state !== 'stopping' && this.state !== 'crashed') this.set(undefined);
  }

  unready(reason: Exclude<UnreadyReason, 'broker-unreachable'>): void {
    if (this.state === 'crashed' || (this.state === 'stopping' && reason !== 'crashed')) return;
    this.set(reason);
  }

  /** A connection to `broker` was refused, closed or timed out. */
  brokerUnreachable(broker: string): void {
    this.lastUnreachable = Date.now();
    this.lastBroker = broker;
    this.report();
  }

  ready(): boolean {
    return this.reason() === undefined;
  }

  reason(): UnreadyReason | undefined {
    if (this.state) return this.state;
    return Date.now() - this.lastUnreachable < UNREACHABLE_HOLD_MS ? 'broker-unreachable' : undefined;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private set(state: UnreadyReason | undefined): void {
    this.state = state;
    this.report();
  }

  private report(): void {
    const now = this.reason() ?? 'ready';
    if (now === this.reported) return;
    this.reported = now;
    this.metrics.ready.set({ stage: this.stage }, now === 'ready' ? 1 : 0);
    if (now !== 'ready') this.metrics.unready.inc({ stage: this.stage, reason: now });
    this.logger.info({ ready: now === 'ready', reason: now === 'ready' ? undefined : now, broker: now === 'broker-unreachable' ? this.lastBroker : undefined }, 'readiness changed');
  }
}

