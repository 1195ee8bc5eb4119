import { describe, expect, it } from "vitest";
import { describeShadow, describeSplit, formatShare, trafficSegments, uriMode } from "./traffic-split";

describe("traffic split", () => {
  it("gives the primary all traffic without a canary", () => {
    expect(trafficSegments({ primary_version: "3" })).toEqual([{ version: "3", role: "primary", share: 1 }]);
    expect(describeSplit({ primary_version: "3" })).toBe("v3 100%");
  });

  it("splits by the canary's weight", () => {
    const deployment = { primary_version: "1", canary: { version: "2", weight: 0.2, sticky: true } };
    expect(trafficSegments(deployment)).toEqual([
      { version: "1", role: "primary", share: 0.8 },
      { version: "2", role: "canary", share: 0.2 },
    ]);
    expect(describeSplit(deployment)).toBe("v1 80% · v2 20% canary");
    expect(describeSplit({ primary_version: "1", canary: { version: "4", weight: 0.7, sticky: false } })).toBe("v1 30% · v4 70% canary");
  });

  it("formats shares as percentages without floating-point noise", () => {
    expect(formatShare(1 - 0.7)).toBe("30%");
    expect(formatShare(1 / 3)).toBe("33.33%");
    expect(formatShare(0.125)).toBe("12.5%");
    expect(formatShare(0)).toBe("0%");
  });

  it("describes a shadow's mirrored share", () => {
    expect(describeShadow({ shadow: { version: "3", share: 0.5 } })).toBe("mirrors 50% to v3");
    expect(describeShadow({})).toBeUndefined();
  });

  it("tells a followed alias from a pinned version", () => {
    expect(uriMode("models:/churn@champion")).toEqual({ kind: "alias", alias: "champion" });
    expect(uriMode("models:/churn/3")).toEqual({ kind: "pinned" });
  });
});
