import { describe, expect, it } from "vitest";
import type { Run } from "../../protocol/mlflow/entities.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { Approval, MetricComparator, PromotionRule } from "../governance-store.js";
import { checkApprovals, checkMetricThreshold, checkRequiredTag, normalizeActorName, type SourceRun } from "./rule-checks.js";

const version = (tags: Array<{ key: string; value: string }>): ModelVersion => ({
  name: "churn",
  version: "3",
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  current_stage: "None",
  source: "runs:/r1/model",
  run_id: "r1",
  status: "READY",
  tags,
  aliases: [],
});

const runWith = (metrics: Array<{ key: string; value: number }>): SourceRun => ({
  kind: "run",
  run: {
    info: {
      run_id: "r1",
      run_uuid: "r1",
      run_name: "train",
      experiment_id: "0",
      user_id: "ada",
      status: "FINISHED",
      start_time: 1,
      artifact_uri: "mlflow-artifacts:/0/r1/artifacts",
      lifecycle_stage: "active",
    },
    data: { metrics: metrics.map((metric) => ({ ...metric, step: 0, timestamp: 1 })), params: [], tags: [] },
    inputs: { dataset_inputs: [] },
  } satisfies Run,
});

describe("promotion rule checks", () => {
  it("a required tag is met by the exact value only, and says what it found", () => {
    const required = { key: "validation_status", value: "passed" };
    expect(checkRequiredTag(version([{ key: "validation_status", value: "passed" }]), required)).toBeUndefined();
    expect(checkRequiredTag(version([{ key: "validation_status", value: "failed" }]), required)).toBe(
      "required tag validation_status = passed is missing (found: failed)",
    );
    expect(checkRequiredTag(version([{ key: "validation_status", value: "" }]), required)).toBe(
      "required tag validation_status = passed is missing (found: )",
    );
    expect(checkRequiredTag(version([]), required)).toBe("required tag validation_status = passed is missing");
  });

  it.each<[MetricComparator, number, boolean]>([
    ["=", 0.9, true],
    ["=", 0.91, false],
    ["!=", 0.91, true],
    ["!=", 0.9, false],
    [">", 0.89, true],
    [">", 0.9, false],
    [">=", 0.9, true],
    [">=", 0.91, false],
    ["<", 0.91, true],
    ["<", 0.9, false],
    ["<=", 0.9, true],
    ["<=", 0.89, false],
  ])("metrics.accuracy %s %d with run value 0.9: met=%s", (comparator, value, met) => {
    const result = checkMetricThreshold(runWith([{ key: "accuracy", value: 0.9 }]), { metric: "accuracy", comparator, value });
    expect(result).toBe(met ? undefined : `metrics.accuracy ${comparator} ${value} not met (run value 0.9)`);
  });

  it("a missing metric, a version without a run and a vanished run are unmet rules that say so", () => {
    const threshold = { metric: "f1", comparator: ">=" as const, value: 0.5 };
    expect(checkMetricThreshold(runWith([{ key: "accuracy", value: 1 }]), threshold)).toBe(
      "metrics.f1 >= 0.5 not met (run r1 has no metric f1)",
    );
    expect(checkMetricThreshold({ kind: "no-run" }, threshold)).toBe("metrics.f1 >= 0.5 not met (the version has no source run)");
    expect(checkMetricThreshold({ kind: "run-not-found", runId: "gone" }, threshold)).toBe(
      "metrics.f1 >= 0.5 not met (source run gone not found)",
    );
    expect(checkMetricThreshold(runWith([{ key: "f1", value: Number.NaN }]), threshold)).toBe(
      "metrics.f1 >= 0.5 not met (run value NaN)",
    );
  });

  it("counts approvals against the number needed and names who approved", () => {
    const rule = { requiredApprovals: 2 } as PromotionRule;
    const by = (name: string): Approval => ({ name: "churn", version: "3", target: "alias:champion", actor: { name, verified: false }, time: 1 });
    expect(checkApprovals(rule, [])).toBe("2 approvals needed, 0 given");
    expect(checkApprovals(rule, [by("ada")])).toBe("2 approvals needed, 1 given (by ada)");
    expect(checkApprovals(rule, [by("ada"), by("bob")])).toBeUndefined();
    expect(checkApprovals({ requiredApprovals: 1 } as PromotionRule, [])).toBe("1 approval needed, 0 given");
  });

  it("counts one person once however the name is spelled (case, surrounding spaces, full-width letters)", () => {
    const rule = { requiredApprovals: 2, forbidSelfApproval: false } as PromotionRule;
    const by = (name: string): Approval => ({ name: "churn", version: "3", target: "alias:champion", actor: { name, verified: false }, time: 1 });
    expect(normalizeActorName(" Ada ")).toBe("ada");
    expect(normalizeActorName("\uff21\uff44\uff41")).toBe("ada");
    expect(checkApprovals(rule, [by("ada"), by("Ada "), by("\uff41\uff44\uff41")])).toBe("2 approvals needed, 1 given (by ada)");
    expect(checkApprovals(rule, [by("ada"), by("bob")])).toBeUndefined();
  });

  it("never counts an author's approval under a rule that forbids self-approval, and says whose did not count", () => {
    const forbids = { requiredApprovals: 1, forbidSelfApproval: true } as PromotionRule;
    const allows = { requiredApprovals: 1, forbidSelfApproval: false } as PromotionRule;
    const by = (name: string): Approval => ({ name: "churn", version: "3", target: "alias:champion", actor: { name, verified: false }, time: 1 });
    // The hole as it was: the creator approving their own version meets the rule when the option is off.
    expect(checkApprovals(allows, [by("ada")], ["ada"])).toBeUndefined();
    expect(checkApprovals(forbids, [by("ADA ")], ["ada"])).toBe("1 approval needed, 0 given; self-approval by ADA does not count");
    expect(checkApprovals(forbids, [by("ada"), by("carl")], ["ada", "carl"])).toBe("1 approval needed, 0 given; self-approval by ada, carl does not count");
    expect(checkApprovals({ ...forbids, requiredApprovals: 2 } as PromotionRule, [by("ada"), by("bob")], ["Ada"])).toBe(
      "2 approvals needed, 1 given (by bob); self-approval by ada does not count",
    );
    expect(checkApprovals(forbids, [by("ada"), by("bob")], ["ada"])).toBeUndefined();
    // Empty author names (a version created anonymously) exclude nobody.
    expect(checkApprovals(forbids, [by("ada")], ["", " "])).toBeUndefined();
  });
});
