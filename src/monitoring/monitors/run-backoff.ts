/** Longest wait between attempts of a failing monitor, whatever its schedule multiplier says (unless the schedule is longer). */
export const MAX_BACKOFF_MS = 3_600_000;
/** A failing monitor waits at most this many schedules between attempts. */
export const MAX_BACKOFF_FACTOR = 16;

/**
 * The wait before the next attempt of a monitor after `failures` consecutive failed runs (0: it succeeded): its
 * schedule, then twice, four times ... the schedule, capped at 16 schedules or one hour, whichever is shorter, and
 * never shorter than the schedule itself.
 */
export const backoffDelayMs = (scheduleMs: number, failures: number): number => {
  if (failures <= 1) return scheduleMs;
  const cap = Math.max(scheduleMs, Math.min(MAX_BACKOFF_FACTOR * scheduleMs, MAX_BACKOFF_MS));
  // 2^(failures-1) grows past any cap by 2^30: stop doubling there rather than overflow.
  return Math.min(scheduleMs * 2 ** Math.min(failures - 1, 30), cap);
};

/** A monitor's scheduling state kept by the scheduler: consecutive failed runs and when it may run next. */
export interface RunAttempts {
  failures: number;
  nextAttempt: number;
}
