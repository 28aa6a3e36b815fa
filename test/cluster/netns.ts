import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

/**
 * A network namespace joined to this one by a veth pair: a broker started inside it (`ip netns exec`) can be cut
 * off from everything else — the other brokers and every client — by a blackhole route on each side, and joined
 * again by deleting the routes. Needs root (CAP_NET_ADMIN) and the `ip` command; nothing else (no iptables, no
 * netem module).
 */
export class IsolatedLink {
  readonly ns: string;
  readonly hostIp: string;
  readonly nsIp: string;
  private readonly hostDev: string;
  private partitioned = false;

  private constructor() {
    const id = randomInt(100, 250);
    this.ns = `fwpart${process.pid}`;
    this.hostDev = `fwh${process.pid}`.slice(0, 15);
    this.hostIp = `10.252.${id}.1`;
    this.nsIp = `10.252.${id}.2`;
  }

  /** The link, or why it cannot be made here. */
  static tryCreate(): IsolatedLink | string {
    const link = new IsolatedLink();
    try {
      ip('netns', 'add', link.ns);
      ip('link', 'add', link.hostDev, 'type', 'veth', 'peer', 'name', 'eth-fw', 'netns', link.ns);
      ip('addr', 'add', `${link.hostIp}/24`, 'dev', link.hostDev);
      ip('link', 'set', link.hostDev, 'up');
      ip('-n', link.ns, 'addr', 'add', `${link.nsIp}/24`, 'dev', 'eth-fw');
      ip('-n', link.ns, 'link', 'set', 'eth-fw', 'up');
      ip('-n', link.ns, 'link', 'set', 'lo', 'up');
      return link;
    } catch (error) {
      link.destroy();
      return `no network namespace with a veth pair here (${String((error as Error).message).split('\n')[0]})`;
    }
  }

  /** Command prefix that runs a program inside the namespace. */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.ns];
  }

  /** Cuts the namespace off: packets either way are dropped by a blackhole route. */
  partition(): void {
    ip('route', 'add', 'blackhole', `${this.nsIp}/32`);
    ip('-n', this.ns, 'route', 'add', 'blackhole', `${this.hostIp}/32`);
    this.partitioned = true;
  }

  heal(): void {
    if (!this.partitioned) return;
    ip('route', 'del', 'blackhole', `${this.nsIp}/32`);
    ip('-n', this.ns, 'route', 'del', 'blackhole', `${this.hostIp}/32`);
    this.partitioned = false;
  }

  destroy(): void {
    for (const args of [['route', 'del', 'blackhole', `${this.nsIp}/32`], ['link', 'del', this.hostDev], ['netns', 'del', this.ns]]) {
      try {
        ip(...args);
      } catch {
        // not there
      }
    }
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}
