import type { Clock } from "../core/clock.js";
import { CairnError, ErrorCode } from "../core/errors.js";
import { CredentialCache } from "./credential-cache.js";
import { dummyPasswordHash, verifyPassword } from "./password-hash.js";
import type { Principal } from "./principal.js";
import { looksLikeSessionSecret, looksLikeTokenSecret, newSessionSecret, sha256Hex } from "./secrets.js";
import type { AuthStore } from "./store.js";
import { LoginThrottle } from "./login-throttle.js";
import { canonicalUsername, MAX_USERNAME_LENGTH } from "./usernames.js";

/** One message for every failed password: an unknown user and a wrong password are not told apart. */
export const BAD_CREDENTIALS = "Invalid user name or password.";

export const unauthenticated = (message: string): CairnError => new CairnError(ErrorCode.UNAUTHENTICATED, message);

/** A 429 that says when to come back (the hook and sign-in copy it into Retry-After). */
export class ThrottledError extends CairnError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.REQUEST_LIMIT_EXCEEDED, `Too many failed sign-in attempts; retry after ${retryAfterSeconds} seconds.`);
  }
}

export interface SessionOptions {
  /** A session ends this long after sign-in, whatever its use; default 7 days. */
  maxAgeMs: number;
  /** ...or this long after its last use; default 8 hours. */
  idleMs: number;
  /** Sessions kept per user (oldest ended first); default 20. */
  maxPerUser: number;
}

export const DEFAULT_SESSIONS: SessionOptions = { maxAgeMs: 7 * 86_400_000, idleMs: 8 * 3_600_000, maxPerUser: 20 };

export interface AuthenticatorOptions {
  clock?: Clock;
  cache?: CredentialCache;
  throttle?: LoginThrottle;
  sessions?: Partial<SessionOptions>;
}

/** Writes of last-use times are at most this frequent per token or session: reads stay reads on the hot path. */
const TOUCH_INTERVAL_MS = 60_000;
const MAX_TOUCH_ENTRIES = 10_000;

/**
 * Proves who a request is: a password (HTTP Basic or sign-in; scrypt behind a short-lived cache, throttled), a
 * personal access token, or a UI session cookie. Every failure is a 401 with the same words; throttled attempts a 429.
 */
export class Authenticator {
  readonly clock: Clock;
  readonly cache: CredentialCache;
  readonly throttle: LoginThrottle;
  readonly sessions: SessionOptions;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: AuthStore,
    options: AuthenticatorOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.cache = options.cache ?? new CredentialCache({ ttlMs: 30_000, maxEntries: 10_000, now: this.clock });
    this.throttle = options.throttle ?? new LoginThrottle({ now: this.clock });
    this.sessions = { ...DEFAULT_SESSIONS, ...options.sessions };
  }

  /** A password check as HTTP Basic and sign-in make it. `address` is the client's, for the throttle. */
  async password(rawUsername: string, password: string, address: string): Promise<Principal> {
    const username = canonicalUsername(rawUsername.slice(0, 4 * MAX_USERNAME_LENGTH)).slice(0, MAX_USERNAME_LENGTH + 1);
    // A credential verified moments ago is let through even while the name is throttled: the throttle stops guessing,
    // and a client that knows the password is not guessing (nor can an attacker lock a user's scripts out this way).
    const cached = this.cache.get(username, password);
    if (cached !== undefined) return { username: cached.username, isAdmin: cached.isAdmin, via: "password" };
    const wait = this.throttle.retryAfterSeconds(username, address);
    if (wait !== undefined) throw new ThrottledError(wait);
    const user = username === "" || password.length > 1024 ? undefined : await this.store.getUser(username);
    // An unknown user costs the same scrypt as a known one: the answer's timing does not tell whether a user exists.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!ok || user === undefined) {
      this.throttle.recordFailure(username, address);
      throw unauthenticated(BAD_CREDENTIALS);
    }
    this.throttle.recordSuccess(username);
    this.cache.set(username, password, { username, isAdmin: user.isAdmin });
    return { username, isAdmin: user.isAdmin, via: "password" };
  }

  async token(secret: string): Promise<Principal> {
    const found = looksLikeTokenSecret(secret) ? await this.store.findTokenBySecret(sha256Hex(secret)) : undefined;
    const now = this.clock();
    if (found === undefined) throw unauthenticated("Invalid access token.");
    const { token, isAdmin } = found;
    if (token.revokedTime !== undefined) throw unauthenticated("The access token was revoked.");
    if (token.expirationTime !== undefined && token.expirationTime <= now) throw unauthenticated("The access token expired.");
    if (this.due(`t:${token.id}`, now)) await this.store.touchToken(token.id, now);
    return { username: token.username, isAdmin, via: "token" };
  }

  async session(secret: string): Promise<Principal> {
    const hash = looksLikeSessionSecret(secret) ? sha256Hex(secret) : undefined;
    const found = hash === undefined ? undefined : await this.store.findSession(hash);
    const now = this.clock();
    if (found === undefined || hash === undefined) throw unauthenticated("Not signed in (the session ended).");
    const { session, isAdmin } = found;
    if (session.expirationTime <= now || session.idleExpirationTime <= now) {
      await this.store.deleteSession(hash);
      throw unauthenticated("Not signed in (the session ended).");
    }
    // Touched at most every tenth of the idle time (a minute at most): the idle expiry stays within 10 % of exact.
    if (this.due(`s:${hash}`, now, Math.min(TOUCH_INTERVAL_MS, this.sessions.idleMs / 10))) await this.store.touchSession(hash, now + this.sessions.idleMs);
    return { username: session.username, isAdmin, via: "session" };
  }

  /** Signs in with a password: a new session; returns the cookie value (shown to this client once). */
  async signIn(username: string, password: string, address: string): Promise<{ principal: Principal; cookie: string; maxAgeSeconds: number }> {
    const principal = await this.password(username, password, address);
    const cookie = newSessionSecret();
    const now = this.clock();
    await this.store.createSession({
      sessionSha256: sha256Hex(cookie),
      username: principal.username,
      createdTime: now,
      expirationTime: now + this.sessions.maxAgeMs,
      idleExpirationTime: now + this.sessions.idleMs,
    });
    await this.store.trimSessions(principal.username, this.sessions.maxPerUser);
    await this.store.deleteExpiredSessions(now);
    return { principal: { ...principal, via: "session" }, cookie, maxAgeSeconds: Math.floor(this.sessions.maxAgeMs / 1000) };
  }

  async signOut(cookie: string): Promise<void> {
    if (looksLikeSessionSecret(cookie)) await this.store.deleteSession(sha256Hex(cookie));
  }

  /** Whether a last-use write is due for `key` (at most once a minute; the table is bounded). */
  private due(key: string, now: number, interval: number = TOUCH_INTERVAL_MS): boolean {
    const last = this.touched.get(key);
    if (last !== undefined && now - last < interval) return false;
    if (this.touched.size >= MAX_TOUCH_ENTRIES) this.touched.clear();
    this.touched.set(key, now);
    return true;
  }
}
