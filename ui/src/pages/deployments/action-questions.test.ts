import { describe, expect, it } from "vitest";
import { actionOutcome, actionQuestion } from "./action-questions";

describe("promote and rollback questions", () => {
  const canary = { version: "2", weight: 0.2, sticky: true };
  const shadow = { version: "3", share: 0.5 };
  const pinned = { model_uri: "models:/churn/1" };
  const following = { model_uri: "models:/churn@champion" };

  it("names the version promoted, what ends, and the rules it passes", () => {
    expect(actionQuestion("promote", { ...pinned, primary_version: "1", canary })).toBe(
      "Make version 2 the primary? It takes all traffic from version 1, and the canary (v2) ends. The deployment's promotion rules apply.",
    );
    expect(actionQuestion("promote", { ...pinned, primary_version: "1", shadow })).toBe(
      "Make version 3 the primary? It takes all traffic from version 1, and the shadow (v3) ends. The deployment's promotion rules apply.",
    );
    expect(actionQuestion("promote", { ...following, primary_version: "1", canary, shadow })).toBe(
      "Make version 2 the primary? It takes all traffic from version 1, and the canary (v2) and the shadow (v3) end. The alias @champion moves to version 2 if its promotion rules allow it.",
    );
    expect(actionQuestion("promote", { ...pinned, primary_version: "1" })).toBeUndefined();
  });

  it("rolls back a candidate first, else the primary (moving a followed alias back)", () => {
    expect(actionQuestion("rollback", { ...following, primary_version: "1", canary, shadow })).toBe(
      "Drop the canary (v2) and the shadow (v3)? Version 1 keeps answering all traffic.",
    );
    expect(actionQuestion("rollback", { ...pinned, primary_version: "2" })).toBe("Return to the previous primary version? Version 2 stops serving.");
    expect(actionQuestion("rollback", { ...following, primary_version: "2" })).toBe(
      "Return to the previous primary version? Version 2 stops serving. The alias @champion moves back, through its promotion rules.",
    );
  });

  it("says the outcome from the server's answer", () => {
    expect(actionOutcome("promote", { primary_version: "2" })).toBe("Version 2 is now the primary.");
    expect(actionOutcome("rollback", { primary_version: "1" })).toBe("Rolled back: version 1 is the primary.");
  });
});
