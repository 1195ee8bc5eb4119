/**
 * Delay before the attempt that follows `failedAttempts` failures: base * 2^(failedAttempts - 1), capped, with
 * +-20 % jitter so that the deliveries of one outage do not all retry in the same instant. With the defaults
 * (1 s, 10 min): 1 s, 2 s, 4 s ... 512 s, then 10 min.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1); injected so that tests can pin the jitter. */
  random: () => number;
}

const JITTER = 0.2;

export const retryDelayMs = (failedAttempts: number, policy: BackoffPolicy): number => {
  const exponent = Math.max(0, failedAttempts - 1);
  // 2^exponent overflows to Infinity long after the cap applies; min() keeps it finite.
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 52));
  const jittered = raw * (1 - JITTER + 2 * JITTER * policy.random());
  return Math.max(0, Math.min(policy.capMs, Math.round(jittered)));
};
