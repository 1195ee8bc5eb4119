import { randomUUID } from "node:crypto";

/** The shortest lease, so that a renewal (every third of it) is never a busy loop on the database. */
export const MIN_LEASE_MS = 3_000;
/** The longest lease: a window whose claimer died waits at most this long past its due time to be retaken. */
export const MAX_LEASE_MS = 60_000;

/**
 * How long a scheduler's claim on a monitor's window holds without renewal: half the monitor's schedule, between 3 s
 * and 60 s (10 s schedule: 5 s; 10 min schedule: 60 s). The holder renews it every third of its length while the run
 * lasts, so a run may take longer than its lease; the lease only bounds how late a window is evaluated when its
 * claimer dies (SIGKILL mid-run): retaken at most one lease (and one scheduler tick) after the claim. Half the schedule
 * keeps that retaken run before the next window is due.
 */
export const leaseMsFor = (scheduleSeconds: number): number => Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, (scheduleSeconds * 1000) / 2));

/** A holder token unique per claim: this process (pid, for people reading the row) and a random part. */
export const newLeaseHolder = (): string => `${process.pid}-${randomUUID()}`;

/**
 * Runs `work` while renewing the lease every third of `leaseMs` (renew returns false once the window is no longer
 * ours; renewing then stops, and the run's result is fenced off by recordRun). A renewal that fails (the database
 * briefly down) is retried at the next interval: the lease may lapse, and the fence keeps the window recorded once.
 */
export const whileRenewing = async <T>(leaseMs: number, renew: () => Promise<boolean>, work: () => Promise<T>): Promise<T> => {
  let held = true;
  let renewing: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (!held || renewing !== undefined) return;
    renewing = renew().then(
      (still) => void (held = still),
      () => undefined,
    ).finally(() => (renewing = undefined));
  }, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  try {
    return await work();
  } finally {
    // Not waited for: a renewal still in flight matches only this holder, which the recorded result has released
    // (nothing to renew then), and a renewal stuck on a dead connection must not hold the run up.
    clearInterval(timer);
  }
};
