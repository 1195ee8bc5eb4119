import ipaddr from "ipaddr.js";

/**
 * Which addresses a webhook may reach without the operator's say-so. The rule is an allowlist of one range: only
 * what ipaddr.js calls global "unicast" passes. Everything else is refused: loopback, unspecified (0.0.0.0, ::),
 * private (10/8, 172.16/12, 192.168/16), unique-local fc00::/7, link-local (169.254/16, fe80::/10), multicast,
 * broadcast, carrier-grade NAT 100.64/10, reserved and documentation ranges, and the IPv6 forms that embed an IPv4
 * address (IPv4-mapped ::ffff:a.b.c.d is judged as the IPv4 address; NAT64, 6to4, Teredo are refused outright since
 * they can lead back to an internal IPv4 host).
 */

/** Cloud metadata services: refused even inside an allowlisted range (no receiver lives there). */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  "169.254.169.254", // AWS, GCP, Azure, OpenStack, DigitalOcean...
  "169.254.170.2", // AWS ECS task metadata
  "100.100.100.200", // Alibaba Cloud
  "fd00:ec2::254", // AWS over IPv6
]);

/** Metadata host names (compared lower case, without a trailing dot): refused whatever they resolve to. */
export const METADATA_HOST_NAMES: ReadonlySet<string> = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
]);

/** An address literal as ipaddr.js reads it; IPv4-mapped IPv6 becomes the IPv4 address it carries. */
export const parseAddress = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  // isValid alone accepts legacy IPv4 forms ("0x7f.1", "2130706433"); the URL parser has already normalized those
  // in host names, and DNS answers are canonical, so only the canonical forms are taken here.
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !ipaddr.IPv6.isValid(bare)) return undefined;
  const parsed = ipaddr.parse(bare);
  return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
};

export const isMetadataAddress = (address: ipaddr.IPv4 | ipaddr.IPv6): boolean => METADATA_ADDRESSES.has(address.toString());

/** True for an address any webhook may reach: global unicast and not a metadata service. */
export const isPublicAddress = (address: ipaddr.IPv4 | ipaddr.IPv6): boolean => address.range() === "unicast" && !isMetadataAddress(address);
