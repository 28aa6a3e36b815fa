import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { LocalKafka } from './kafka-local.ts';

/**
 * A local Kafka cluster of combined broker + controller nodes (the layout Kafka documents for small clusters),
 * from the same jars as the single broker. Node i listens on basePort + 2(i-1) and controls on the port after it;
 * data under FLYWHEEL_HOME/kafka-cluster/node-i. Topics default to replication factor 3 (min.insync.replicas 2), and
 * so do the offsets and transaction-state topics.
 */
export interface LocalKafkaClusterOptions {
  home: string;
  brokers: number;
  basePort?: number;
  heapMb?: number;
  logger?: Logger;
  /** Address of each node, by index (default 127.0.0.1): lets a test put one node behind its own network link. */
  hostOf?: (index: number) => string;
  /** Command that java runs through, by index (e.g. `ip netns exec <ns>`). */
  commandPrefixOf?: (index: number) => string[] | undefined;
}

export interface NodeStatus {
  nodeId: number;
  bootstrap: string;
  pid: number | null;
  answers: boolean;
}

export class LocalKafkaCluster {
  readonly nodes: LocalKafka[];
  readonly dir: string;

  constructor(private readonly options: LocalKafkaClusterOptions) {
    if (!Number.isInteger(options.brokers) || options.brokers < 1 || options.brokers > 9) throw new Error(`brokers: expected 1 to 9, got ${options.brokers}`);
    this.dir = path.join(options.home, 'kafka-cluster');
    const base = options.basePort ?? 19092;
    const host = (i: number) => options.hostOf?.(i) ?? '127.0.0.1';
    const ids = Array.from({ length: options.brokers }, (_, i) => i);
    const voters = ids.map((i) => `${i + 1}@${host(i)}:${base + 2 * i + 1}`).join(',');
    const replicationFactor = Math.min(3, options.brokers);
    this.nodes = ids.map(
      (i) =>
        new LocalKafka({
          home: this.dir,
          dirName: `node-${i + 1}`,
          nodeId: i + 1,
          host: host(i),
          brokerPort: base + 2 * i,
          controllerPort: base + 2 * i + 1,
          quorumVoters: voters,
          replicationFactor,
          minInsync: Math.max(1, replicationFactor - 1),
          heapMb: options.heapMb ?? 384,
          logger: options.logger,
          commandPrefix: options.commandPrefixOf?.(i),
        }),
    );
  }

  /** Comma-separated, as KAFKA_BROKERS takes it. */
  get bootstrap(): string {
    return this.nodes.map((n) => n.bootstrap).join(',');
  }

  get replicationFactor(): number {
    return Math.min(3, this.nodes.length);
  }

  node(nodeId: number): LocalKafka {
    const node = this.nodes[nodeId - 1];
    if (!node) throw new Error(`no node ${nodeId} in a cluster of ${this.nodes.length}`);
    return node;
  }

  /** Formats every node with one cluster id on first use, starts the nodes that are not running, waits for all. */
  async up(timeoutMs = 180_000): Promise<{ started: number; bootstrap: string }> {
    const idFile = path.join(this.dir, 'cluster.id');
    fs.mkdirSync(this.dir, { recursive: true });
    if (!fs.existsSync(idFile)) fs.writeFileSync(idFile, kafkaUuid());
    const clusterId = fs.readFileSync(idFile, 'utf8').trim();
    let started = 0;
    for (const node of this.nodes) {
      if (node.pid()) continue;
      node.start(clusterId);
      started++;
    }
    await Promise.all(this.nodes.map((n) => n.waitUntilUp(timeoutMs)));
    await this.waitForBrokers(this.nodes.length, timeoutMs);
    return { started, bootstrap: this.bootstrap };
  }

  /** Stops every node (SIGTERM to all at once, SIGKILL past the grace period); returns how many were running. */
  async down(graceMs = 30_000): Promise<number> {
    const stopped = await Promise.all(this.nodes.map((n) => n.down(graceMs)));
    return stopped.filter(Boolean).length;
  }

  async reset(): Promise<void> {
    await this.down();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async status(): Promise<NodeStatus[]> {
    return Promise.all(
      this.nodes.map(async (n, i) => {
        const pid = n.pid() ?? null;
        return { nodeId: i + 1, bootstrap: n.bootstrap, pid, answers: pid ? await n.answers() : false };
      }),
    );
  }

  /** Was this cluster ever formatted here (so `stack status|down` should look at it)? */
  exists(): boolean {
    return fs.existsSync(path.join(this.dir, 'cluster.id'));
  }

  /** Restarts one node cleanly and waits until it is back in the cluster and every replica is in sync again. */
  async restart(nodeId: number, timeoutMs = 180_000): Promise<void> {
    const node = this.node(nodeId);
    await node.down(60_000);
    node.start();
    await node.waitUntilUp(timeoutMs);
    await this.waitForBrokers(this.nodes.length, timeoutMs);
    await this.waitInSync(timeoutMs);
  }

  /** Waits until the cluster metadata lists `count` brokers. */
  async waitForBrokers(count: number, timeoutMs = 120_000): Promise<void> {
    await this.poll(`${count} brokers in the cluster`, timeoutMs, async (admin) => (await admin.describeCluster()).brokers.length >= count);
  }

  /** Waits until every partition of every topic (internal ones included) has all its replicas in sync. */
  async waitInSync(timeoutMs = 120_000): Promise<void> {
    await this.poll('every replica in sync', timeoutMs, async (admin) => (await underReplicated(admin)) === 0);
  }

  private async poll(what: string, timeoutMs: number, check: (admin: ReturnType<Kafka['admin']>) => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const admin = new Kafka({ brokers: this.nodes.filter((n) => n.pid()).map((n) => n.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
      try {
        await admin.connect();
        if (await check(admin)) return;
      } catch {
        // not yet
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (Date.now() > deadline) throw new Error(`Kafka cluster: no ${what} within ${timeoutMs / 1000}s`);
      await sleep(500);
    }
  }
}

/** Partitions whose in-sync replicas are fewer than their replicas, over all topics. */
export async function underReplicated(admin: ReturnType<Kafka['admin']>): Promise<number> {
  const topics = await admin.listTopics();
  const { topics: meta } = await admin.fetchTopicMetadata({ topics });
  return meta.flatMap((t) => t.partitions).filter((p) => p.isr.length < p.replicas.length).length;
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid` prints). */
function kafkaUuid(): string {
  return randomBytes(16).toString('base64url');
}
