import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { invalidParameter } from "../core/errors.js";
import { isMetadataAddress, isPublicAddress, METADATA_HOST_NAMES, parseAddress } from "./target-address.js";

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; tests map names through their own. */
export type TargetLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface TargetPolicyOptions {
  /**
   * Internal receivers the operator allows: host names (exact, case-insensitive), addresses and CIDR ranges
   * ("hooks.internal", "10.1.2.3", "10.0.0.0/8", "fd12::/16"). A target is allowlisted when its host name is listed or
   * every address it resolves to is inside a listed range. Cloud metadata names and addresses are refused anyway.
   */
  allow?: readonly string[];
  /** Accept plain http for every target (default: https only, except for allowlisted targets). */
  allowHttp?: boolean;
  /** Default: node:dns lookup of all addresses. */
  lookup?: TargetLookup;
}

export type TargetCheck =
  /** `pinned`: the checked address to connect to; absent when the URL's host is an address literal. */
  | { allowed: true; pinned?: ResolvedAddress }
  | { allowed: false; reason: "scheme" | "address" | "unresolved" };

/** What a refused delivery or test records: the same words whatever the reason, so the log is no scanner. */
export const TARGET_NOT_ALLOWED = "target address not allowed";

/** What an attempt records when the target's host name does not resolve (retried like any failed attempt). */
export const TARGET_UNRESOLVED = "could not resolve the target's host name";

/** A name that does not resolve within this long counts as unresolved. */
const LOOKUP_TIMEOUT_MS = 5_000;

type AllowEntry = { kind: "host"; name: string } | { kind: "range"; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

const normalizeHost = (host: string): string => {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, "");
};

/** One allowlist entry; a malformed one is a configuration error naming it (the server refuses to start). */
export const parseAllowEntry = (text: string): AllowEntry => {
  const entry = normalizeHost(text.trim());
  if (entry.includes("/")) {
    const [base = "", prefixText = ""] = entry.split("/", 2);
    const prefix = Number(prefixText);
    // Canonical addresses only: ipaddr.parseCIDR would also take legacy shorthands such as "10.0.0/8".
    if (parseAddress(base) === undefined || !/^\d{1,3}$/.test(prefixText)) {
      throw invalidParameter(`--webhook-allowed-targets entry '${text.slice(0, 100)}' is not a valid CIDR range.`);
    }
    const address = ipaddr.parse(base);
    const bits = address.kind() === "ipv4" ? 32 : 128;
    if (prefix > bits) throw invalidParameter(`--webhook-allowed-targets entry '${text.slice(0, 100)}' is not a valid CIDR range.`);
    // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it carries, as addresses are judged.
    const mapped = address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress();
    return { kind: "range", range: mapped ? [(address as ipaddr.IPv6).toIPv4Address(), Math.max(0, prefix - 96)] : [address, prefix] };
  }
  const address = parseAddress(entry);
  if (address !== undefined) return { kind: "range", range: [address, address.kind() === "ipv4" ? 32 : 128] };
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry) || entry.length > 253) {
    throw invalidParameter(`--webhook-allowed-targets entry '${text.slice(0, 100)}' is not a host name, an address or a CIDR range.`);
  }
  return { kind: "host", name: entry };
};

const systemLookup: TargetLookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((found) => ({ address: found.address, family: found.family === 6 ? 6 : 4 }));

const withTimeout = async <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("lookup timed out")), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Decides whether Cairn may send to a webhook URL, after DNS resolution, and names the address to connect to: the
 * sender connects to exactly that address (no second lookup), so a name that resolves to a public address when
 * checked and to 127.0.0.1 a moment later (DNS rebinding) still reaches only the checked address.
 */
export class TargetPolicy {
  private readonly hosts: ReadonlySet<string>;
  private readonly ranges: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  private readonly allowHttp: boolean;
  private readonly lookup: TargetLookup;

  constructor(options: TargetPolicyOptions = {}) {
    const entries = (options.allow ?? []).map(parseAllowEntry);
    this.hosts = new Set(entries.flatMap((entry) => (entry.kind === "host" ? [entry.name] : [])));
    this.ranges = entries.flatMap((entry) => (entry.kind === "range" ? [entry.range] : []));
    this.allowHttp = options.allowHttp ?? false;
    this.lookup = options.lookup ?? systemLookup;
  }

  private inAllowedRange(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.ranges.some(([base, prefix]) => base.kind() === address.kind() && address.match(base, prefix));
  }

  async check(url: URL): Promise<TargetCheck> {
    const host = normalizeHost(url.hostname);
    if (METADATA_HOST_NAMES.has(host)) return { allowed: false, reason: "address" };
    const listedByName = this.hosts.has(host);
    const needsAllowlist = url.protocol === "http:" && !this.allowHttp;
    const literal = parseAddress(host);
    let answers: ResolvedAddress[];
    if (literal !== undefined) {
      answers = [{ address: literal.toString(), family: literal.kind() === "ipv4" ? 4 : 6 }];
    } else {
      try {
        answers = await withTimeout(this.lookup(host), LOOKUP_TIMEOUT_MS);
      } catch {
        answers = [];
      }
      if (answers.length === 0) return { allowed: false, reason: needsAllowlist && !listedByName ? "scheme" : "unresolved" };
    }
    const checked: ResolvedAddress[] = [];
    let allAllowlisted = true;
    for (const answer of answers) {
      const address = parseAddress(answer.address);
      if (address === undefined || isMetadataAddress(address)) return { allowed: false, reason: "address" };
      const allowlisted = listedByName || this.inAllowedRange(address);
      if (!allowlisted && !isPublicAddress(address)) return { allowed: false, reason: "address" };
      allAllowlisted &&= allowlisted;
      checked.push({ address: address.toString(), family: address.kind() === "ipv4" ? 4 : 6 });
    }
    if (needsAllowlist && !allAllowlisted) return { allowed: false, reason: "scheme" };
    const [pinned] = checked;
    return literal === undefined && pinned !== undefined ? { allowed: true, pinned } : { allowed: true };
  }

  /**
   * The first check, when a webhook is created or its URL changed: a 4xx naming 'url' for a target that is refused
   * now. A name that does not resolve yet is accepted (the receiver may not be in DNS yet); every delivery checks again.
   */
  async requireAllowed(url: string): Promise<void> {
    const result = await this.check(new URL(url));
    if (result.allowed || result.reason === "unresolved") return;
    if (result.reason === "scheme") {
      throw invalidParameter(
        "Webhook 'url' must use https; http is accepted only for targets the server's operator allowlisted " +
          "(--webhook-allowed-targets) or when the server runs with --webhook-allow-http.",
      );
    }
    throw invalidParameter(
      "Webhook 'url' names a target address that is not allowed (loopback, private, link-local, multicast, " +
        "carrier-grade NAT, reserved or cloud metadata); the server's operator can allow internal receivers with " +
        "--webhook-allowed-targets.",
    );
  }
}
