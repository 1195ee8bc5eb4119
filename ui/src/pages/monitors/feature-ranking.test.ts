import { describe, expect, it } from "vitest";
import { rankFeatures } from "./feature-ranking";
import type { MonitorResult } from "./monitor-wire";

const score = (time: number, feature: string, method: string, statistic: number | null, threshold: number | null, passed: boolean): MonitorResult => ({
  time,
  check: "drift",
  feature,
  method,
  statistic,
  threshold,
  passed,
});

describe("rankFeatures", () => {
  it("puts the newest run's drifted features first, the farthest past its threshold first, across tests", () => {
    const results = [
      score(2, "", "share_drifted", 0.5, 0.5, false),
      score(2, "age", "jensenshannon", 0.3, 0.1, false), // 3x the threshold
      score(2, "city", "chisquare", 0.0001, 0.05, false), // 500x below the threshold
      score(2, "income", "jensenshannon", 0.12, 0.1, false), // 1.2x
      score(2, "tenure", "jensenshannon", 0.09, 0.1, true),
      score(2, "plan", "ks", 0.5, 0.05, true),
      // An older score of age does not count; zip has only an old score.
      score(1, "age", "jensenshannon", 0.01, 0.1, true),
      score(1, "zip", "jensenshannon", 0.02, 0.1, true),
      score(2, "other", "jensenshannon", 0.5, 0.1, false),
    ];
    const withSkew = [...results, { ...score(2, "skewed", "jensenshannon", 0.9, 0.1, false), check: "skew" as const }];
    expect(rankFeatures(withSkew, "drift")).toEqual(["city", "other", "age", "income", "tenure", "zip", "plan"]);
    expect(rankFeatures(withSkew, "skew")).toEqual(["skewed"]);
  });

  it("ranks a score that could not be computed last", () => {
    expect(rankFeatures([score(1, "a", "ks", null, 0.05, true), score(1, "b", "ks", 0.9, 0.05, true)], "drift")).toEqual(["b", "a"]);
  });
});
