import { describe, expect, it } from "vitest";
import { actionOutcome, actionQuestion } from "./action-questions";

describe("promote and rollback questions", () => {
  const canary = { version: "2", weight: 0.2, sticky: true };
  const shadow = { version: "3", share: 0.5 };

  it("names the version promoted and what ends", () => {
    expect(actionQuestion("promote", { primary_version: "1", canary })).toBe("Make version 2 the primary? It takes all traffic from version 1, and the canary (v2) ends.");
    expect(actionQuestion("promote", { primary_version: "1", shadow })).toBe("Make version 3 the primary? It takes all traffic from version 1, and the shadow (v3) ends.");
    expect(actionQuestion("promote", { primary_version: "1", canary, shadow })).toBe(
      "Make version 2 the primary? It takes all traffic from version 1, and the canary (v2) and the shadow (v3) end.",
    );
    expect(actionQuestion("promote", { primary_version: "1" })).toBeUndefined();
  });

  it("rolls back a candidate first, else the primary", () => {
    expect(actionQuestion("rollback", { primary_version: "1", canary, shadow })).toBe("Drop the canary (v2) and the shadow (v3)? Version 1 keeps answering all traffic.");
    expect(actionQuestion("rollback", { primary_version: "2" })).toBe("Return to the previous primary version? Version 2 stops serving.");
  });

  it("says the outcome from the server's answer", () => {
    expect(actionOutcome("promote", { primary_version: "2" })).toBe("Version 2 is now the primary.");
    expect(actionOutcome("rollback", { primary_version: "1" })).toBe("Rolled back: version 1 is the primary.");
  });
});
