import { describe, expect, it } from "vitest";
import { timeAxis } from "./time-range";

const at = (iso: string): number => Date.parse(iso);

describe("the monitor chart's time axis", () => {
  it("shows HH:MM within one day, with the zone on the axis", () => {
    const axis = timeAxis([at("2026-12-04T09:00:00Z"), at("2026-12-04T17:30:00Z")], "UTC");
    expect(axis.label).toBe("Run time (UTC)");
    expect(axis.tick(at("2026-12-04T13:05:00Z"))).toBe("13:05");
    expect(axis.full(at("2026-12-04T13:05:00Z"))).toBe("2026-12-04 13:05:00 UTC");
  });

  it("shows seconds when the runs are minutes apart at most, with ticks as fine as a second", () => {
    const axis = timeAxis([at("2026-12-04T17:47:37Z"), at("2026-12-04T17:49:41Z")], "UTC");
    expect(axis.tick(at("2026-12-04T17:47:39Z"))).toBe("17:47:39");
    expect(Math.min(...axis.incrs)).toBe(1);
  });

  it("shows milliseconds when the runs are seconds apart at most, and leaves room for the longer labels", () => {
    const axis = timeAxis([at("2026-12-04T17:58:28.100Z"), at("2026-12-04T17:58:28.900Z")], "UTC");
    expect(axis.tick(at("2026-12-04T17:58:28.500Z"))).toBe("17:58:28.500");
    expect(axis.full(at("2026-12-04T17:58:28.500Z"))).toBe("2026-12-04 17:58:28.500 UTC");
    expect(Math.min(...axis.incrs)).toBe(0.001);
    expect(axis.space).toBe(12 * 7 + 16);
  });

  it("shows the date with the time over a few days, and the date alone, on whole days, beyond", () => {
    const few = timeAxis([at("2026-12-03T22:00:00Z"), at("2026-12-04T02:00:00Z")], "UTC");
    expect(few.tick(at("2026-12-04T00:00:00Z"))).toBe("Dec 4 00:00");
    const week = timeAxis([at("2026-11-27T09:00:00Z"), at("2026-12-04T09:00:00Z")], "UTC");
    expect(week.tick(at("2026-12-01T00:00:00Z"))).toBe("Dec 1");
    expect(Math.min(...week.incrs)).toBe(86_400);
  });

  it("reads the days and hours in the given zone and names it with its offset", () => {
    // 23:30 UTC is already the next day in Oslo: the runs span two days there.
    const axis = timeAxis([at("2026-12-04T20:00:00Z"), at("2026-12-04T23:30:00Z")], "Europe/Oslo");
    expect(axis.label).toBe("Run time (Europe/Oslo, UTC+1)");
    expect(axis.tick(at("2026-12-04T23:30:00Z"))).toBe("Dec 5 00:30");
    expect(axis.full(at("2026-12-04T23:30:00Z"))).toBe("2026-12-05 00:30:00 UTC+1");
    expect(timeAxis([at("2026-12-04T10:00:00Z")], "Asia/Kolkata").label).toBe("Run time (Asia/Kolkata, UTC+5:30)");
  });
});
