import http from 'node:http';
import type { Admin } from 'kafkajs';
import type { TestEnv } from '../support.ts';
import { sleep, type StageProcess } from '../reliability/harness.ts';

/**
 * What an operator watching the run sees: every stage process's /readyz (polled a few times a second) and the
 * group's lag as the broker reports it (committed offset vs end of each input partition, what KEDA's Kafka
 * scaler reads), with marks for when a fault began and ended.
 */
export class OperatorView {
  readonly ready: Array<{ at: number; pid: number; ready: boolean }> = [];
  readonly lag: Array<{ at: number; lag: number }> = [];
  /** Sum of `flywheel_consumer_lag` over the stage processes' /metrics: what the stages themselves report. */
  readonly stageLag: Array<{ at: number; lag: number }> = [];
  private readonly marks = new Map<string, number>();
  private readonly watched: Array<{ stage: StageProcess; port: number }> = [];
  private admin?: Admin;
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly env: TestEnv,
    private readonly groupId: string,
    private readonly input: string,
  ) {}

  /** Polls this stage's /readyz from the moment it serves HTTP. */
  async watch(stage: StageProcess): Promise<void> {
    const started = await stage.waitFor((l) => l.msg === 'stage started', 240_000);
    this.watched.push({ stage, port: Number(started.httpPort) });
  }

  portOf(stage: StageProcess): number {
    const w = this.watched.find((x) => x.stage === stage);
    if (!w) throw new Error('stage is not watched');
    return w.port;
  }

  async start(): Promise<void> {
    this.admin = this.env.kafka.admin();
    await this.admin.connect();
    this.running = true;
    this.loops = [this.pollReady(), this.pollLag()];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.admin?.disconnect().catch(() => undefined);
  }

  mark(name: string): void {
    this.marks.set(name, Date.now());
  }

  /** Samples of /readyz between two marks (to the end without `to`) that said "not ready". */
  notReady(from: string, to?: string): number {
    return this.between(this.ready, from, to).filter((s) => !s.ready).length;
  }

  /** Was the last sample of every stage still running "ready"? (Ask before stopping them.) */
  readyAtEnd(): boolean {
    const last = new Map<number, boolean>();
    for (const s of this.ready) last.set(s.pid, s.ready);
    const alive = this.watched.filter((w) => w.stage.alive).map((w) => w.stage.child.pid!);
    return alive.length > 0 && alive.every((pid) => last.get(pid) === true);
  }

  peakLag(from: string, to?: string): number {
    return Math.max(0, ...this.between(this.lag, from, to).map((s) => s.lag));
  }

  peakStageLag(from: string, to?: string): number {
    return Math.max(0, ...this.between(this.stageLag, from, to).map((s) => s.lag));
  }

  /** The group's lag now, as the broker reports it. */
  async currentLag(): Promise<number> {
    return groupLag(this.admin!, this.groupId, this.env.topic(this.input));
  }

  private between<T extends { at: number }>(samples: T[], from: string, to?: string): T[] {
    const start = this.marks.get(from) ?? 0;
    const end = to ? (this.marks.get(to) ?? Infinity) : Infinity;
    return samples.filter((s) => s.at >= start && s.at <= end);
  }

  private async pollReady(): Promise<void> {
    while (this.running) {
      await Promise.all(
        this.watched
          .filter((w) => w.stage.alive)
          .map(async (w) => {
            const status = await probe(w.port);
            if (status !== undefined && w.stage.alive) this.ready.push({ at: Date.now(), pid: w.stage.child.pid!, ready: status === 200 });
          }),
      );
      await sleep(250);
    }
  }

  private async pollLag(): Promise<void> {
    while (this.running) {
      const lag = await Promise.race([groupLag(this.admin!, this.groupId, this.env.topic(this.input)).catch(() => undefined), sleep(5000).then(() => undefined)]);
      if (lag !== undefined) this.lag.push({ at: Date.now(), lag });
      else await this.freshAdmin(); // a request to a cut-off broker hangs for 30 s: ask again with fresh metadata
      const stages = await Promise.all(this.watched.filter((w) => w.stage.alive).map((w) => scrapeCounter(w.port, 'flywheel_consumer_lag').catch(() => undefined)));
      const known = stages.filter((n): n is number => n !== undefined);
      if (known.length) this.stageLag.push({ at: Date.now(), lag: known.reduce((a, b) => a + b, 0) });
      await sleep(1000);
    }
  }

  private async freshAdmin(): Promise<void> {
    const old = this.admin;
    this.admin = this.env.kafka.admin();
    await this.admin.connect().catch(() => undefined);
    void old?.disconnect().catch(() => undefined);
  }
}

async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((lag, p) => lag + Number(p.high) - Math.max(0, Number(committed.partitions.find((c) => c.partition === p.partition)?.offset ?? 0)), 0);
}

function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** One counter of a stage's /metrics, summed over label sets that contain `labels` (e.g. reason="rebalancing"). */
export async function scrapeCounter(port: number, name: string, labels = ''): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
