import { describe, expect, it } from "vitest";
import { parseAllowEntry, TargetPolicy, type ResolvedAddress, type TargetLookup } from "./target-policy.js";

/** A DNS stand-in: names map to fixed answers; anything else does not resolve. */
const mapLookup =
  (names: Record<string, string[]>): TargetLookup =>
  async (hostname) => {
    const answers = names[hostname];
    if (answers === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return answers.map((address): ResolvedAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

const PUBLIC_V4 = "93.184.215.14";
const PUBLIC_V6 = "2606:4700::6810:84e5";

const check = (policy: TargetPolicy, url: string) => policy.check(new URL(url));

describe("webhook target policy (SSRF)", () => {
  const strict = new TargetPolicy({
    lookup: mapLookup({
      "hooks.example.com": [PUBLIC_V4, PUBLIC_V6],
      "v6.example.com": [PUBLIC_V6],
      "mixed.example.com": [PUBLIC_V4, "10.0.0.5"],
      "mapped.example.com": ["::ffff:127.0.0.1"],
      "internal.example.com": ["192.168.1.10"],
      localhost: ["127.0.0.1", "::1"],
    }),
  });

  it("refuses every loopback, unspecified, private, link-local, multicast, CGNAT, reserved and metadata form", async () => {
    const refused = [
      "https://127.0.0.1:8080/",
      "https://2130706433:8080/", // 127.0.0.1 as one decimal number
      "https://0x7f.1:8080/", // 127.0.0.1 in hex shorthand
      "https://0:8080/", // 0.0.0.0
      "https://0.0.0.0/",
      "https://[::]/",
      "https://[::1]:8080/",
      "https://[::ffff:127.0.0.1]/", // IPv4-mapped loopback
      "https://[::ffff:a9fe:a9fe]/", // IPv4-mapped 169.254.169.254
      "https://[64:ff9b::a00:1]/", // NAT64 of 10.0.0.1
      "https://[2002:7f00:1::]/", // 6to4 of 127.0.0.1
      "https://10.1.2.3/",
      "https://172.16.0.1/",
      "https://172.31.255.254/",
      "https://192.168.0.1/",
      "https://[fc00::1]/",
      "https://[fd12:3456::1]/",
      "https://169.254.1.1/",
      "https://[fe80::1]/",
      "https://224.0.0.1/",
      "https://[ff02::1]/",
      "https://255.255.255.255/",
      "https://100.64.0.1/",
      "https://100.127.255.254/",
      "https://192.0.2.1/", // documentation
      "https://169.254.169.254/latest/meta-data/",
      "https://[fd00:ec2::254]/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://METADATA.google.internal./",
      "https://localhost:8080/",
      "https://mapped.example.com/",
      "https://internal.example.com/",
      "https://mixed.example.com/", // one private answer is enough to refuse
    ];
    for (const url of refused) expect(await check(strict, url), url).toEqual({ allowed: false, reason: "address" });
  });

  it("allows https to public addresses and pins the first checked address of a name", async () => {
    expect(await check(strict, "https://hooks.example.com/x")).toEqual({ allowed: true, pinned: { address: PUBLIC_V4, family: 4 } });
    expect(await check(strict, "https://v6.example.com/x")).toEqual({ allowed: true, pinned: { address: PUBLIC_V6, family: 6 } });
    expect(await check(strict, `https://${PUBLIC_V4}/x`)).toEqual({ allowed: true });
    expect(await check(strict, "https://[2606:4700::1]/x")).toEqual({ allowed: true });
    expect(await check(strict, "https://100.128.0.1/x")).toEqual({ allowed: true }); // just past CGNAT
    expect(await check(strict, "https://172.32.0.1/x")).toEqual({ allowed: true }); // just past 172.16/12
  });

  it("requires https unless the target is allowlisted or http is allowed for all", async () => {
    expect(await check(strict, "http://hooks.example.com/x")).toEqual({ allowed: false, reason: "scheme" });
    expect(await check(strict, "http://nowhere.example.com/x")).toEqual({ allowed: false, reason: "scheme" });
    expect(await check(strict, "https://nowhere.example.com/x")).toEqual({ allowed: false, reason: "unresolved" });
    const http = new TargetPolicy({ allowHttp: true, lookup: mapLookup({ "hooks.example.com": [PUBLIC_V4] }) });
    expect(await check(http, "http://hooks.example.com/x")).toEqual({ allowed: true, pinned: { address: PUBLIC_V4, family: 4 } });
    // http for all does not open internal addresses.
    expect(await check(http, "http://127.0.0.1:9/x")).toEqual({ allowed: false, reason: "address" });
  });

  it("lets the operator allow internal receivers by range, address or name, never metadata", async () => {
    const policy = new TargetPolicy({
      allow: ["127.0.0.0/8", "::1", "10.0.0.0/8", "hooks.corp.", "169.254.0.0/16", "fd00::/8"],
      lookup: mapLookup({
        localhost: ["127.0.0.1", "::1"],
        "ci.corp": ["10.4.0.7"],
        "hooks.corp": ["192.168.7.7"],
        "half.corp": ["10.4.0.7", "192.168.7.7"],
      }),
    });
    expect(await check(policy, "http://127.0.0.1:8080/")).toEqual({ allowed: true });
    expect(await check(policy, "http://[::1]:8080/")).toEqual({ allowed: true });
    expect(await check(policy, "http://[::ffff:127.0.0.1]:8080/")).toEqual({ allowed: true });
    expect(await check(policy, "http://localhost:8080/")).toEqual({ allowed: true, pinned: { address: "127.0.0.1", family: 4 } });
    expect(await check(policy, "http://ci.corp/")).toEqual({ allowed: true, pinned: { address: "10.4.0.7", family: 4 } });
    expect(await check(policy, "http://HOOKS.corp/")).toEqual({ allowed: true, pinned: { address: "192.168.7.7", family: 4 } });
    expect(await check(policy, "https://half.corp/")).toEqual({ allowed: false, reason: "address" });
    expect(await check(policy, "http://192.168.0.1/")).toEqual({ allowed: false, reason: "address" });
    expect(await check(policy, "http://169.254.169.254/")).toEqual({ allowed: false, reason: "address" });
    expect(await check(policy, "http://[fd00:ec2::254]/")).toEqual({ allowed: false, reason: "address" });
    expect(await check(policy, "http://metadata.google.internal/")).toEqual({ allowed: false, reason: "address" });
    expect(await check(policy, "http://169.254.10.10/")).toEqual({ allowed: true });
  });

  it("refuses malformed allowlist entries, naming the flag and the entry", () => {
    expect(parseAllowEntry(" 10.0.0.0/8 ")).toMatchObject({ kind: "range" });
    expect(parseAllowEntry("Hooks.Internal.")).toEqual({ kind: "host", name: "hooks.internal" });
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "http://x", "a b", "x..y", "*.corp", ""]) {
      expect(() => parseAllowEntry(bad), bad).toThrow(`--webhook-allowed-targets entry '${bad}' is not`);
    }
  });

  it("refuses at create time with a 4xx naming 'url', and accepts a name that does not resolve yet", async () => {
    await expect(strict.requireAllowed("https://127.0.0.1/")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringMatching(/^Webhook 'url' names a target address that is not allowed/),
    });
    await expect(strict.requireAllowed("http://hooks.example.com/")).rejects.toMatchObject({
      message: expect.stringMatching(/^Webhook 'url' must use https/),
    });
    await expect(strict.requireAllowed("https://nowhere.example.com/")).resolves.toBeUndefined();
    await expect(strict.requireAllowed("https://hooks.example.com/")).resolves.toBeUndefined();
  });
});
