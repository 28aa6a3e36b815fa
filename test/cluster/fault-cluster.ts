import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { LocalKafkaCluster } from '../../services/platform/stack/kafka-cluster.ts';
import type { TestEnv } from '../support.ts';
import { makeDocs } from '../reliability/docs.ts';
import { sleep, StageProcess } from '../reliability/harness.ts';
import { IsolatedLink } from './netns.ts';

/**
 * The private three-broker cluster of the fault scenarios (ports 39092-39097, its own data under a temp folder):
 * the shared broker on 19092 is never touched. Where a network namespace can be made, node 3 runs inside one so
 * that a test can cut it off from the others and from every client; nodes 1 and 2 then listen on the host end of
 * the link (10.252.x.1), node 3 on the far end.
 */
export class FaultCluster {
  readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-cluster-'));
  readonly link?: IsolatedLink;
  /** Why the network partition scenario cannot run here, if it cannot. */
  readonly noPartition?: string;
  readonly cluster: LocalKafkaCluster;
  /** The node behind the link. */
  readonly isolatable = 3;

  constructor() {
    const link = IsolatedLink.tryCreate();
    if (typeof link === 'string') this.noPartition = link;
    else this.link = link;
    this.cluster = new LocalKafkaCluster({
      home: this.home,
      brokers: 3,
      basePort: 39092,
      heapMb: 384,
      hostOf: this.link ? (i) => (i === 2 ? this.link!.nsIp : this.link!.hostIp) : undefined,
      commandPrefixOf: this.link ? (i) => (i === 2 ? this.link!.exec : undefined) : undefined,
    });
  }

  get bootstrap(): string {
    return this.cluster.bootstrap;
  }

  async up(): Promise<void> {
    await this.cluster.up(300_000);
  }

  async close(): Promise<void> {
    this.link?.heal();
    await this.cluster.down(10_000).catch(() => undefined);
    this.link?.destroy();
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** Leader node of each partition of a topic. */
export async function leaders(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return new Map(topics[0].partitions.map((p) => [p.partitionId, p.leader]));
  } finally {
    await admin.disconnect();
  }
}

/** The node that leads the most partitions of `topic`. */
export async function busiestLeader(kafka: Kafka, topic: string): Promise<{ nodeId: number; partitions: number; of: number }> {
  const byPartition = await leaders(kafka, topic);
  const counts = new Map<number, number>();
  for (const node of byPartition.values()) counts.set(node, (counts.get(node) ?? 0) + 1);
  const [nodeId, partitions] = [...counts].sort((a, b) => b[1] - a[1])[0];
  return { nodeId, partitions, of: byPartition.size };
}

/** Waits until no partition of `topic` is led by `nodeId` (the controller moved leadership away). */
export async function untilLeadershipLeaves(kafka: Kafka, topic: string, nodeId: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const byPartition = await leaders(kafka, topic).catch(() => undefined);
    if (byPartition && ![...byPartition.values()].some((n) => n === nodeId || n < 0)) return;
    if (Date.now() > deadline) throw new Error(`partitions of ${topic} still led by node ${nodeId} after ${timeoutMs / 1000}s`);
    await sleep(500);
  }
}

/**
 * Input that keeps arriving while a fault happens: `every` ms a batch of documents, until stopped. A batch whose
 * send fails (its retries can run out while a broker is cut off) is not retried — some of its records may be in
 * the topic, some not — and is counted in `failed`; `produced` holds the batches the broker acknowledged.
 */
export function feed(env: TestEnv, produced: Array<{ id: string }>, prefix: string, batch = 60, every = 700): { failed: number; stop(): Promise<void> } {
  let running = true;
  let next = produced.length;
  const state = {
    failed: 0,
    async stop() {
      running = false;
      await loop;
    },
  };
  const loop = (async () => {
    while (running) {
      const more = makeDocs(prefix, next, batch);
      next += batch;
      try {
        await env.produce('fw.docs', more);
        produced.push(...more);
      } catch {
        state.failed++;
      }
      await sleep(every);
    }
  })();
  return state;
}

/** Restarts the stage process whenever it exits, as Kubernetes would; records why it exited. */
export class Supervisor {
  stage: StageProcess;
  readonly exits: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly stageName: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onStart: (stage: StageProcess) => void,
  ) {
    this.stage = this.spawn();
    this.loop = this.supervise();
  }

  private async supervise(): Promise<void> {
    while (this.running) {
      await Promise.race([this.stage.exited, sleep(250)]);
      if (!this.stage.alive && this.running) {
        const { code, signal } = await this.stage.exited;
        this.exits.push(`exit ${code ?? signal}: ${this.stage.trouble(3).split('\n').pop()?.slice(0, 200)}`);
        this.stage = this.spawn();
      }
    }
  }

  private spawn(): StageProcess {
    const stage = new StageProcess(this.stageName, this.env);
    this.onStart(stage);
    return stage;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.stage.kill('SIGTERM');
  }
}
