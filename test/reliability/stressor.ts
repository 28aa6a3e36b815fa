import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnChild } from '../setup/children.ts';

/**
 * A bounded CPU stressor: busy-looping child processes (not niced: they compete with the stage and the broker
 * as a noisy neighbour would) that each stop by themselves after `maxMs`, and are killed by `stop()` before that.
 * Load average counts runnable processes, so `workers` busy loops push the 1-minute load towards `workers`.
 */
export class CpuStressor {
  private readonly children: ChildProcess[] = [];
  private maxLoad = 0;
  private sampler?: NodeJS.Timeout;

  constructor(
    private readonly workers = 4 * os.availableParallelism() + 2,
    private readonly maxMs = 15 * 60_000,
  ) {}

  start(): void {
    const script = `const end = Date.now() + ${this.maxMs}; while (Date.now() < end) { for (let i = 0; i < 1e6; i++); }`;
    for (let i = 0; i < this.workers; i++) this.children.push(spawnChild(process.execPath, ['-e', script], { stdio: 'ignore' }));
    this.sampler = setInterval(() => (this.maxLoad = Math.max(this.maxLoad, this.load())), 1000).unref();
  }

  load(): number {
    return os.loadavg()[0];
  }

  /** Highest 1-minute load average seen while running. */
  peakLoad(): number {
    return Math.max(this.maxLoad, this.load());
  }

  /** Waits (bounded) until the 1-minute load average is above `target`. */
  async untilLoadAbove(target: number, timeoutMs = 240_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.load() <= target) {
      if (Date.now() > deadline) throw new Error(`load average stayed at ${this.load().toFixed(1)}, not above ${target}, after ${timeoutMs} ms`);
      await sleep(2000);
    }
    return this.load();
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    await Promise.all(
      this.children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGKILL'))))),
    );
  }
}
