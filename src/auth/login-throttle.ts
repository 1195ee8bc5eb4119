/**
 * Login throttling per user name and per client address, for HTTP Basic and sign-in alike. Each failed attempt
 * counts against both keys; from the `free`-th failure on, each one makes the key wait, doubling from 1 s up to
 * `maxDelayMs`. A key forgets its failures after `forgetAfterMs` without one, a successful sign-in clears the user
 * name's count, and the table is bounded (oldest keys dropped first), so an attacker spraying names or addresses costs
 * bounded memory. Unknown user names are counted exactly like known ones: the throttle does not tell them apart.
 */
export interface ThrottleOptions {
  /** Failures allowed per user name before waits start. */
  freeFailuresPerUser: number;
  /** Failures allowed per client address before waits start (one address may hold many users: higher). */
  freeFailuresPerAddress: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxKeys: number;
  now?: () => number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailuresPerUser: 5,
  freeFailuresPerAddress: 20,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxKeys: 10_000,
};

interface KeyState {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();
  private readonly options: ThrottleOptions;

  constructor(options: Partial<ThrottleOptions> = {}) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private state(key: string, now: number): KeyState | undefined {
    const state = this.keys.get(key);
    if (state !== undefined && now - state.lastFailure >= this.options.forgetAfterMs) {
      this.keys.delete(key);
      return undefined;
    }
    return state;
  }

  /** Seconds to wait before another attempt for this user from this address; undefined when one may be made now. */
  retryAfterSeconds(username: string, address: string): number | undefined {
    const now = this.now();
    const until = Math.max(this.state(`u:${username}`, now)?.blockedUntil ?? 0, this.state(`a:${address}`, now)?.blockedUntil ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : undefined;
  }

  recordFailure(username: string, address: string): void {
    const now = this.now();
    this.fail(`u:${username}`, this.options.freeFailuresPerUser, now);
    this.fail(`a:${address}`, this.options.freeFailuresPerAddress, now);
  }

  recordSuccess(username: string): void {
    this.keys.delete(`u:${username}`);
  }

  private fail(key: string, free: number, now: number): void {
    const state = this.state(key, now) ?? { failures: 0, lastFailure: now, blockedUntil: 0 };
    state.failures += 1;
    state.lastFailure = now;
    // The `free`-th failure starts the waits: 1 s, then 2 s, 4 s... up to maxDelayMs.
    const over = state.failures - free;
    if (over >= 0) state.blockedUntil = now + Math.min(this.options.maxDelayMs, 1000 * 2 ** Math.min(over, 30));
    // Re-inserted at the end: the Map's order is least recently failed first, which is what gets dropped when full.
    this.keys.delete(key);
    while (this.keys.size >= this.options.maxKeys) {
      const oldest = this.keys.keys().next();
      if (oldest.done === true) break;
      this.keys.delete(oldest.value);
    }
    this.keys.set(key, state);
  }

  get size(): number {
    return this.keys.size;
  }
}
