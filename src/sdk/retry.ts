/**
 * Retry policy for transient failures: exponential backoff with full jitter, bounded in attempts and delay.
 * Only failures that a later attempt can fix are retried (connection refused/reset, 429, 502, 503, 504); a 4xx
 * means the request itself is wrong and is never retried.
 */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). Default 4, at most 10. */
  retries?: number;
  /** Backoff before the first retry, in ms. Default 200. */
  minDelayMs?: number;
  /** Ceiling of one backoff, in ms. Default 5000, at most 60000. */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const MAX_RETRIES = 10;
export const MAX_DELAY_MS = 60_000;

const bounded = (value: number | undefined, fallback: number, min: number, max: number, name: string): number => {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`retry.${name} must be a number from ${min} to ${max}, got ${value}`);
  }
  return value;
};

export const retryPolicy = (options: RetryOptions = {}): RetryPolicy => {
  const retries = Math.floor(bounded(options.retries, 4, 0, MAX_RETRIES, "retries"));
  const minDelayMs = bounded(options.minDelayMs, 200, 0, MAX_DELAY_MS, "minDelayMs");
  const maxDelayMs = bounded(options.maxDelayMs, 5000, minDelayMs, MAX_DELAY_MS, "maxDelayMs");
  return { retries, minDelayMs, maxDelayMs };
};

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Network error codes (from Node's fetch cause chain) that mean the server may answer a later attempt. */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** True when a thrown fetch failure is a transient network fault (walks the cause chain Node's fetch builds). */
export const isRetryableNetworkError = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && RETRYABLE_NETWORK_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
};

/**
 * Delay before retry number `attempt` (0-based): full jitter over min(max, min * 2^attempt), so that many clients
 * failing together do not come back together. A server's Retry-After (seconds) wins when given, still capped.
 */
export const backoffDelay = (
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
  retryAfterSeconds?: number,
): number => {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(policy.maxDelayMs, retryAfterSeconds * 1000);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  return Math.max(policy.minDelayMs / 2, Math.round(ceiling * random()));
};

/** Retry-After as seconds when it is the delta form; the date form is ignored (clocks may differ). */
export const parseRetryAfter = (header: string | null): number | undefined => {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
