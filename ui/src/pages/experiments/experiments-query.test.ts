import { describe, expect, it } from "vitest";
import { experimentNameFilter } from "./experiments-query";

describe("experimentNameFilter", () => {
  it("searches names containing the text, ignoring case, with quotes doubled", () => {
    expect(experimentNameFilter("churn")).toBe("name ILIKE '%churn%'");
    expect(experimentNameFilter("  bob's  ")).toBe("name ILIKE '%bob''s%'");
  });

  it("has no filter for blank text", () => {
    expect(experimentNameFilter("")).toBeUndefined();
    expect(experimentNameFilter("   ")).toBeUndefined();
  });
});
