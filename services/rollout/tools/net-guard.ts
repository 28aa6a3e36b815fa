import { lookup } from 'node:dns/promises';
import net from 'node:net';

/** Why a URL may not be fetched from the live web. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function blockedV4(ip: string): boolean {
  const value = v4ToInt(ip);
  return BLOCKED_V4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (value & mask) === (v4ToInt(base) & mask);
  });
}

function blockedV6(ip: string): boolean {
  const lower = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return blockedV4(mapped[1]);
  if (lower === '::' || lower === '::1') return true;
  const first = parseInt(lower.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 || // multicast
    lower.startsWith('64:ff9b:') || // NAT64 can reach private v4
    lower.startsWith('2001:db8:') // documentation
  );
}

/** True when an IP literal is loopback, private, link-local, multicast or otherwise not on the public internet. */
export function isBlockedAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  if (net.isIPv4(bare)) return blockedV4(bare);
  if (net.isIPv6(bare)) return blockedV6(bare);
  return true;
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Checks a URL before a live fetch: http(s) only, no credentials in the URL, and every address the host
 * resolves to must be public (a name that resolves to 127.0.0.1 is as blocked as the literal).
 * Call it again for every redirect hop.
 */
export async function assertPublicUrl(raw: string, resolve: Resolver = systemResolver): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedAddressError(`not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BlockedAddressError(`scheme ${url.protocol} is not allowed (http and https only)`);
  if (url.username || url.password) throw new BlockedAddressError('URLs with credentials are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host || host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) {
    throw new BlockedAddressError(`host ${host || '(empty)'} is not public`);
  }
  const addresses = net.isIP(host) ? [host] : await resolve(host).catch((error: Error) => {
    throw new BlockedAddressError(`cannot resolve ${host}: ${error.message}`);
  });
  const bad = addresses.find(isBlockedAddress);
  if (addresses.length === 0 || bad) throw new BlockedAddressError(`host ${host} resolves to a non-public address (${bad ?? 'none'})`);
  return url;
}
