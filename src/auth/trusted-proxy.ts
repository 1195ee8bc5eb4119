import ipaddr from "ipaddr.js";
import { invalidParameter } from "../core/errors.js";

/**
 * A reverse proxy that authenticates users itself (oauth2-proxy, an SSO gateway) and passes the user name in a header
 * (`--trusted-proxy-header X-Forwarded-User`). The header is believed only on connections from the configured proxy
 * addresses (`--trusted-proxies`); from anywhere else it is ignored, or any client could claim to be anyone.
 */
export interface TrustedProxyOptions {
  /** Lower-case header name. */
  header: string;
  /** Addresses and CIDR ranges of the proxies. */
  proxies: readonly string[];
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

const parseAddress = (text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
  const bare = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (!ipaddr.isValid(bare)) return undefined;
  const address = ipaddr.parse(bare);
  // ::ffff:10.0.0.1 (how node reports IPv4 clients on a dual-stack socket) is the IPv4 address.
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
};

export const parseProxyRange = (entry: string): Range => {
  const text = entry.trim();
  try {
    if (text.includes("/")) {
      const [address, bits] = ipaddr.parseCIDR(text);
      return [address, bits];
    }
  } catch {
    throw invalidParameter(`--trusted-proxies: '${entry}' is not an address or CIDR range`);
  }
  const address = parseAddress(text);
  if (address === undefined) throw invalidParameter(`--trusted-proxies: '${entry}' is not an address or CIDR range`);
  return [address, address.kind() === "ipv4" ? 32 : 128];
};

export class TrustedProxies {
  private readonly ranges: Range[];

  constructor(entries: readonly string[]) {
    this.ranges = entries.map(parseProxyRange);
  }

  /** Whether a connection's peer address is one of the proxies. */
  includes(remoteAddress: string | undefined): boolean {
    if (remoteAddress === undefined) return false;
    const address = parseAddress(remoteAddress);
    if (address === undefined) return false;
    return this.ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  }

  /**
   * The client's address: the peer, or, when the peer is a trusted proxy, the right-most X-Forwarded-For entry that is
   * not itself a trusted proxy (entries left of it are whatever the client wrote).
   */
  clientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined): string {
    const peer = remoteAddress ?? "unknown";
    if (!this.includes(remoteAddress) || forwardedFor === undefined) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map((hop) => hop.trim());
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] ?? "";
      if (parseAddress(hop) === undefined) return peer;
      if (!this.includes(hop)) return hop;
    }
    return peer;
  }
}
