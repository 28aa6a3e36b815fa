import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { deployDir } from '../paths.ts';
import type { Logger } from '../logger.ts';

/**
 * The project's own Apache Kafka broker: KRaft, a combined broker + controller node, from the official jars that
 * Maven fetched into deploy/local/lib (see deploy/local/pom.xml), run with the machine's Java under
 * FLYWHEEL_HOME/kafka. A single node by default; kafka-cluster.ts makes several of them one cluster.
 */
export interface LocalKafkaOptions {
  home: string;
  brokerPort?: number;
  controllerPort?: number;
  heapMb?: number;
  logger?: Logger;
  /** Folder under home (default `kafka`). */
  dirName?: string;
  nodeId?: number;
  /** Address the node listens on and advertises (default 127.0.0.1). */
  host?: string;
  /** The controller quorum, `id@host:port,…` (default: this node alone). */
  quorumVoters?: string;
  /** Default replication of topics and of the offsets and transaction-state topics (default 1). */
  replicationFactor?: number;
  /** min.insync.replicas and transaction.state.log.min.isr (default 1). */
  minInsync?: number;
  /** Runs java through this command, e.g. `ip netns exec <ns>` to start the node inside a network namespace. */
  commandPrefix?: string[];
}

const localDir = path.join(deployDir, 'local');
export const kafkaLibDir = path.join(localDir, 'lib');

export class LocalKafka {
  readonly dir: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  private readonly pidFile: string;

  constructor(private readonly options: LocalKafkaOptions) {
    this.dir = path.join(options.home, options.dirName ?? 'kafka');
    this.brokerPort = options.brokerPort ?? 19092;
    this.controllerPort = options.controllerPort ?? 19093;
    this.pidFile = path.join(this.dir, 'broker.pid');
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get bootstrap(): string {
    return `${this.host}:${this.brokerPort}`;
  }

  /** Fetches the Kafka jars with Maven if they are not there yet. */
  static installJars(): void {
    if (fs.existsSync(kafkaLibDir) && fs.readdirSync(kafkaLibDir).some((f) => f.startsWith('kafka_2.13-'))) return;
    execFileSync('mvn', ['-q', '-B', '-f', path.join(localDir, 'pom.xml'), 'dependency:copy-dependencies'], { stdio: 'inherit' });
  }

  pid(): number | undefined {
    if (!fs.existsSync(this.pidFile)) return undefined;
    const pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** Formats storage on first use, starts the broker in the background and waits until it answers. */
  async up(timeoutMs = 120_000): Promise<{ started: boolean; bootstrap: string }> {
    // a broker already answering on the port (ours, or another checkout's) is used as it is
    if (await this.answers()) return { started: false, bootstrap: this.bootstrap };
    this.start();
    await this.waitUntilUp(timeoutMs);
    return { started: true, bootstrap: this.bootstrap };
  }

  /**
   * Formats storage on first use (with `clusterId`, which every node of a cluster must share) and starts the node
   * in the background, without waiting: a cluster node only answers once a majority of the quorum is up.
   */
  start(clusterId?: string): number {
    LocalKafka.installJars();
    fs.mkdirSync(this.dir, { recursive: true });
    const props = this.writeProperties();
    const dataDir = path.join(this.dir, 'data');
    if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
      const id = clusterId ?? this.java(['kafka.tools.StorageTool', 'random-uuid']).trim();
      this.java(['kafka.tools.StorageTool', 'format', '-t', id, '-c', props]);
      this.options.logger?.info({ dataDir, clusterId: id }, 'formatted Kafka storage');
    }
    const out = fs.openSync(path.join(this.dir, 'broker.out'), 'a');
    const [command, ...prefix] = [...(this.options.commandPrefix ?? []), this.javaBin()];
    const child = spawn(command, [...prefix, ...this.jvmArgs(), 'kafka.Kafka', props], { detached: true, stdio: ['ignore', out, out] });
    child.unref();
    fs.closeSync(out);
    fs.writeFileSync(this.pidFile, String(child.pid));
    return child.pid!;
  }

  async waitUntilUp(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.pid()) throw new Error(`Kafka exited during start-up; see ${path.join(this.dir, 'broker.out')} and ${path.join(this.dir, 'logs/server.log')}`);
      if (await this.answers()) {
        this.options.logger?.info({ bootstrap: this.bootstrap, pid: this.pid() }, 'Kafka broker is up');
        return;
      }
      await sleep(500);
    }
    throw new Error(`Kafka did not answer on ${this.bootstrap} within ${timeoutMs / 1000}s`);
  }

  /** Sends a signal to the broker process (SIGKILL for a crash, SIGSTOP/SIGCONT to freeze it). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.pid();
    if (!pid) throw new Error(`Kafka node ${this.options.nodeId ?? 1} is not running`);
    process.kill(pid, signal);
  }

  /** Stops the broker cleanly (SIGTERM, then SIGKILL after the grace period). */
  async down(graceMs = 30_000): Promise<boolean> {
    const pid = this.pid();
    if (!pid) return false;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.pid()) await sleep(250);
    if (this.pid()) process.kill(pid, 'SIGKILL');
    fs.rmSync(this.pidFile, { force: true });
    return true;
  }

  /** Stops the broker and deletes its data. */
  async reset(): Promise<void> {
    await this.down();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async answers(): Promise<boolean> {
    const admin = new Kafka({ brokers: [this.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private writeProperties(): string {
    const template = fs.readFileSync(path.join(localDir, 'server.properties'), 'utf8');
    const nodeId = this.options.nodeId ?? 1;
    const text = template
      .replaceAll('${BROKER_PORT}', String(this.brokerPort))
      .replaceAll('${CONTROLLER_PORT}', String(this.controllerPort))
      .replaceAll('${DATA_DIR}', path.join(this.dir, 'data'))
      .replaceAll('${NODE_ID}', String(nodeId))
      .replaceAll('${HOST}', this.host)
      .replaceAll('${QUORUM_VOTERS}', this.options.quorumVoters ?? `${nodeId}@${this.host}:${this.controllerPort}`)
      .replaceAll('${REPLICATION_FACTOR}', String(this.options.replicationFactor ?? 1))
      .replaceAll('${MIN_INSYNC}', String(this.options.minInsync ?? 1));
    const file = path.join(this.dir, 'server.properties');
    fs.writeFileSync(file, text);
    return file;
  }

  private jvmArgs(): string[] {
    const heap = this.options.heapMb ?? 768;
    return [
      `-Xms${Math.min(heap, 256)}m`,
      `-Xmx${heap}m`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${path.join(this.dir, 'logs')}`,
      `-Dlog4j2.configurationFile=${path.join(localDir, 'log4j2.yaml')}`,
      '-cp',
      `${kafkaLibDir}/*`,
    ];
  }

  private java(args: string[]): string {
    return execFileSync(this.javaBin(), [...this.jvmArgs(), ...args], { encoding: 'utf8' });
  }

  private javaBin(): string {
    return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  }
}
