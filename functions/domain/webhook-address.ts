/**
 * Where a webhook may be sent (DESIGN.md §8): `https` only in AWS, and never to an address inside a network
 * the receiver should not reach through us (private, loopback, link-local, cloud metadata, and the other
 * special-purpose ranges). A host name is judged by every address it resolves to, at create, at `PATCH` and
 * again at every delivery (DNS can change after the check); locally `http://127.0.0.1` is allowed.
 */
import { BlockList, isIP } from 'node:net';

export interface AddressPolicy {
  /** Locally only: `http` and the loopback address 127.0.0.1 are allowed. */
  readonly allowLocal: boolean;
}

/** Resolves a host name to every address it has (the adapter is DNS; tests pass a table). */
export type Resolve = (host: string) => Promise<string[]>;

/** The ranges no webhook may reach, after resolution (IANA special-purpose registries, and AWS metadata). */
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
// IPv4-mapped addresses (::ffff:0:0/96) are judged as the IPv4 address they carry (below): a rule for that
// range would also match every IPv4 address, as BlockList compares them in mapped form.
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  // Unique local, which holds the EC2 metadata service's IPv6 address fd00:ec2::254.
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}

/** Why an address may not receive webhooks, or undefined when it may. */
export function refusedAddress(address: string, policy: AddressPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (policy.allowLocal && address === '127.0.0.1') return undefined;
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return refusedAddress(mapped, policy);
  return refused.check(address, family === 4 ? 'ipv4' : 'ipv6')
    ? `${address} is a private, loopback, link-local, metadata or reserved address`
    : undefined;
}

/** The URL's problem, or undefined when it may receive webhooks; resolves its host (see `Resolve`). */
export async function refusedUrl(
  url: string,
  policy: AddressPolicy,
  resolve: Resolve,
): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  const local = policy.allowLocal && parsed.protocol === 'http:' && parsed.hostname === '127.0.0.1';
  if (parsed.protocol !== 'https:' && !local) {
    return policy.allowLocal ? 'https, or locally http://127.0.0.1' : 'https only';
  }
  if (parsed.username || parsed.password) return 'credentials in the URL are not allowed';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    return `${host} does not resolve`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const address of addresses) {
    const reason = refusedAddress(address, policy);
    if (reason) return reason;
  }
  return undefined;
}
