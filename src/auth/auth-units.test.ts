import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../stores/sqlite/open-database.js";
import { SqliteAuthStore } from "../stores/sqlite/sqlite-auth-store.js";
import { Authenticator, ThrottledError } from "./authenticator.js";
import { CredentialCache } from "./credential-cache.js";
import { cookieValue, parseAuthorization } from "./credentials.js";
import { LoginThrottle } from "./login-throttle.js";
import { hashPassword } from "./password-hash.js";
import { TrustedProxies } from "./trusted-proxy.js";

describe("Authorization and Cookie headers", () => {
  it("reads Basic (UTF-8 or latin-1), Bearer, and calls anything else malformed", () => {
    const b64 = (text: string, encoding: BufferEncoding = "utf8") => Buffer.from(text, encoding).toString("base64");
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization(`Basic ${b64("ada:pa:ss")}`)).toEqual({ kind: "basic", username: "ada", password: "pa:ss" });
    expect(parseAuthorization(`basic ${b64("zoé:é", "latin1")}`)).toEqual({ kind: "basic", username: "zoé", password: "é" });
    expect(parseAuthorization(`Basic ${b64("zoé:é")}`)).toEqual({ kind: "basic", username: "zoé", password: "é" });
    expect(parseAuthorization("Bearer abc")).toEqual({ kind: "bearer", token: "abc" });
    for (const header of ["Basic", "Basic %%%", `Basic ${b64("nocolon")}`, "Digest a=b", "Bearer a b", `Basic ${"A".repeat(5000)}`]) {
      expect(parseAuthorization(header), header).toEqual({ kind: "malformed" });
    }
    expect(cookieValue("a=1; cairn_session=xyz; b=2", "cairn_session")).toBe("xyz");
    expect(cookieValue("cairn_sessionx=1", "cairn_session")).toBeUndefined();
  });
});

describe("LoginThrottle", () => {
  it("makes a user name wait from the fifth failure, doubling, and forgets after a success or a quiet hour", () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now });
    for (let i = 0; i < 4; i++) throttle.recordFailure("ada", "10.0.0.1");
    expect(throttle.retryAfterSeconds("ada", "10.0.0.1")).toBeUndefined();
    throttle.recordFailure("ada", "10.0.0.1");
    expect(throttle.retryAfterSeconds("ada", "10.0.0.9")).toBe(1);
    now += 1000;
    throttle.recordFailure("ada", "10.0.0.1");
    expect(throttle.retryAfterSeconds("ada", "10.0.0.1")).toBe(2);
    now += 2000;
    throttle.recordFailure("ada", "10.0.0.1");
    expect(throttle.retryAfterSeconds("ada", "10.0.0.1")).toBe(4);
    expect(throttle.retryAfterSeconds("bob", "10.0.0.2")).toBeUndefined();
    throttle.recordSuccess("ada");
    expect(throttle.retryAfterSeconds("ada", "10.0.0.2")).toBeUndefined();
    now += 3_600_000;
    expect(throttle.retryAfterSeconds("ada", "10.0.0.1")).toBeUndefined();
  });

  it("throttles one address spraying many names, caps the wait, and holds a bounded number of keys", () => {
    const now = 0;
    const throttle = new LoginThrottle({ now: () => now, maxKeys: 100, maxDelayMs: 60_000 });
    for (let i = 0; i < 20; i++) throttle.recordFailure(`user${i}`, "10.0.0.66");
    expect(throttle.retryAfterSeconds("someone-new", "10.0.0.66")).toBe(1);
    for (let i = 0; i < 40; i++) throttle.recordFailure("x", "10.0.0.66");
    expect(throttle.retryAfterSeconds("y", "10.0.0.66")).toBe(60);
    for (let i = 0; i < 10_000; i++) throttle.recordFailure(`spray${i}`, `10.1.${i >> 8}.${i & 255}`);
    expect(throttle.size).toBeLessThanOrEqual(100);
  });
});

describe("CredentialCache", () => {
  it("keeps verified credentials for its ttl, under keyed hashes, bounded, and forgets a user on demand", () => {
    let now = 0;
    const cache = new CredentialCache({ ttlMs: 1000, maxEntries: 3, now: () => now });
    cache.set("ada", "secret-1", { username: "ada", isAdmin: false });
    expect(cache.get("ada", "secret-1")).toEqual({ username: "ada", isAdmin: false });
    expect(cache.get("ada", "secret-2")).toBeUndefined();
    expect(JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()])).not.toContain("secret-1");
    now = 1000;
    expect(cache.get("ada", "secret-1")).toBeUndefined();
    for (const name of ["a", "b", "c", "d"]) cache.set(name, "p", { username: name, isAdmin: false });
    expect(cache.size).toBe(3);
    expect(cache.get("a", "p")).toBeUndefined();
    cache.forget("d");
    expect(cache.get("d", "p")).toBeUndefined();
    expect(cache.get("c", "p")).toBeDefined();
  });
});

describe("TrustedProxies", () => {
  it("matches addresses and ranges (IPv4-mapped too) and finds the client behind the proxies", () => {
    const proxies = new TrustedProxies(["10.0.0.0/8", "::1", "192.168.1.5"]);
    expect(proxies.includes("10.2.3.4")).toBe(true);
    expect(proxies.includes("::ffff:10.2.3.4")).toBe(true);
    expect(proxies.includes("::1")).toBe(true);
    expect(proxies.includes("192.168.1.6")).toBe(false);
    expect(proxies.includes("127.0.0.1")).toBe(false);
    expect(proxies.includes(undefined)).toBe(false);
    expect(proxies.clientAddress("10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.2")).toBe("203.0.113.9");
    expect(proxies.clientAddress("127.0.0.1", "203.0.113.9")).toBe("127.0.0.1");
    expect(proxies.clientAddress("10.0.0.1", "not-an-address")).toBe("10.0.0.1");
    expect(() => new TrustedProxies(["10.0.0.0/33"])).toThrow("--trusted-proxies: '10.0.0.0/33' is not an address or CIDR range");
    expect(() => new TrustedProxies(["proxy.internal"])).toThrow("is not an address or CIDR range");
  });
});

describe("Authenticator sessions and tokens (fixed clock)", () => {
  let dir: string;
  let close: () => void;
  let store: SqliteAuthStore;
  let now: number;
  let auth: Authenticator;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-authenticator-"));
    const db = openDatabase(path.join(dir, "cairn.db"));
    close = () => db.close();
    store = new SqliteAuthStore(db);
    now = 1_000_000;
    auth = new Authenticator(store, { clock: () => now, sessions: { idleMs: 60_000, maxAgeMs: 600_000, maxPerUser: 2 } });
    await store.createUser({ username: "ada", passwordHash: await hashPassword("ada-password-01", { N: 1024, r: 8, p: 1 }), isAdmin: false, createdTime: now });
  });
  afterEach(async () => {
    close();
    await rm(dir, { recursive: true, force: true });
  });

  it("ends a session after its idle time, extends it on use (never past its absolute end), and keeps a user's newest sessions", async () => {
    const { cookie } = await auth.signIn("ada", "ada-password-01", "127.0.0.1");
    now += 59_000;
    expect(await auth.session(cookie)).toEqual({ username: "ada", isAdmin: false, via: "session" });
    now += 59_000; // 118 s after sign-in, 59 s after the last use
    expect((await auth.session(cookie)).username).toBe("ada");
    now += 61_000;
    await expect(auth.session(cookie)).rejects.toThrow("Not signed in (the session ended).");

    // Used every 50 s it lives until its absolute end (600 s), not a moment longer.
    const long = await auth.signIn("ada", "ada-password-01", "127.0.0.1");
    const start = now;
    while (now - start < 550_000) {
      now += 50_000;
      expect((await auth.session(long.cookie)).username).toBe("ada");
    }
    now = start + 600_000;
    await expect(auth.session(long.cookie)).rejects.toThrow("Not signed in");

    const a = await auth.signIn("ada", "ada-password-01", "127.0.0.1");
    now += 1;
    const b = await auth.signIn("ada", "ada-password-01", "127.0.0.1");
    now += 1;
    const c = await auth.signIn("ada", "ada-password-01", "127.0.0.1");
    expect(await store.countSessions("ada")).toBe(2);
    await expect(auth.session(a.cookie)).rejects.toThrow("Not signed in");
    expect((await auth.session(b.cookie)).username).toBe("ada");
    expect((await auth.session(c.cookie)).username).toBe("ada");
  });

  it("answers a throttled password check with ThrottledError, even for the right password not verified recently", async () => {
    for (let i = 0; i < 5; i++) await expect(auth.password("ada", `wrong-${i}`, "10.0.0.1")).rejects.toThrow("Invalid user name or password.");
    const error = await auth.password("ada", "ada-password-01", "10.0.0.2").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(1);
    now += 1000;
    expect(await auth.password("ADA", "ada-password-01", "10.0.0.2")).toEqual({ username: "ada", isAdmin: false, via: "password" });
  });
});
