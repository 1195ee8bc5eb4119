import type { Migration } from "../migrations.js";

/**
 * Schema version 24 — monitor windows are claimed under a lease (issue 14 part 3: each window evaluated once,
 * whichever replica runs it, also when the replica that claimed it dies mid-run).
 *
 * monitors.claimed_by: the claim that holds the monitor's due window (a token unique per claim: the process and a
 * random part); it is the fencing token of the result: a run records its window only while the claim is still its
 * own. monitors.claimed_until: until when (ms since the epoch) no other scheduler may claim the window; the holder
 * renews it while its run lasts, so a window whose claimer died is retaken once it passes. Both NULL when no run
 * holds the window. last_run_time now moves only with the run's results (in their transaction), not at the claim.
 */
export const MONITOR_LEASES_MIGRATION: Migration = {
  version: 24,
  description: "monitors: window claims as leases (claimed_by, claimed_until)",
  sql: `
    ALTER TABLE monitors ADD COLUMN claimed_by TEXT;
    ALTER TABLE monitors ADD COLUMN claimed_until INTEGER;
  `,
};
