import { createHmac, randomBytes } from "node:crypto";

/**
 * Verified HTTP Basic credentials, for a short while. MLflow's clients send user:password on every request and
 * scrypt costs ~50 ms by design: without this cache each log-metric would. Keys are an HMAC of user and password under
 * a random per-process key (never the password, and not usable for an offline guess without that key); entries
 * expire after `ttlMs`, the cache holds at most `maxEntries` (oldest dropped), and a user's entries are dropped when
 * their password, admin flag or existence changes in this process (another process's change — `cairn users passwd`
 * on the database — takes effect within ttlMs).
 */
export interface CachedUser {
  username: string;
  isAdmin: boolean;
}

interface Entry extends CachedUser {
  expires: number;
}

export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number; now?: () => number } = { ttlMs: 30_000, maxEntries: 10_000 },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private keyOf(username: string, password: string): string {
    return createHmac("sha256", this.key).update(username).update("\0").update(password).digest("base64");
  }

  get(username: string, password: string): CachedUser | undefined {
    const key = this.keyOf(username, password);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { username: entry.username, isAdmin: entry.isAdmin };
  }

  set(username: string, password: string, user: CachedUser): void {
    if (this.options.ttlMs <= 0) return;
    const key = this.keyOf(username, password);
    this.entries.delete(key);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { ...user, expires: this.now() + this.options.ttlMs });
  }

  /** Forgets every cached credential of `username` (password changed, admin flag changed, user deleted). */
  forget(username: string): void {
    for (const [key, entry] of this.entries) if (entry.username === username) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
