import { describe, expect, it } from "vitest";
import { leaseMsFor, newLeaseHolder, whileRenewing } from "./run-lease.js";

describe("monitor window leases", () => {
  it("last half the schedule, between 3 s and 60 s", () => {
    expect([10, 30, 60, 119, 120, 600, 31 * 24 * 3600].map(leaseMsFor)).toEqual([5000, 15_000, 30_000, 59_500, 60_000, 60_000, 60_000]);
    expect(leaseMsFor(1)).toBe(3000);
  });

  it("are held by a token unique per claim that names the process", () => {
    const [a, b] = [newLeaseHolder(), newLeaseHolder()];
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^${process.pid}-[0-9a-f-]{36}$`));
  });

  it("are renewed every third of their length while the work lasts, and no more once it is lost or done", async () => {
    let renewals = 0;
    let held = true;
    const result = await whileRenewing(
      30,
      async () => {
        renewals += 1;
        return held;
      },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 120));
        const before = renewals;
        held = false;
        await new Promise((resolve) => setTimeout(resolve, 120));
        return { before, after: renewals };
      },
    );
    // 10 ms apart: several renewals in the first 120 ms; once one says the lease is lost, at most that one more.
    expect(result.before).toBeGreaterThanOrEqual(2);
    expect(result.after - result.before).toBeLessThanOrEqual(1);
    const done = renewals;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(renewals).toBe(done);
  });
});
