import type { Run } from "../../protocol/mlflow/entities.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { Approval, MetricComparator, MetricThreshold, PromotionRule, RequiredTag } from "../governance-store.js";

/**
 * The rule checks, as pure functions over what the service loaded: each returns the readable sentence of an unmet
 * rule, or undefined when the rule is met. The sentences are the API (shown to users in refusals), so tests pin them.
 */

const compare: Record<MetricComparator, (actual: number, expected: number) => boolean> = {
  "=": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
};

export const checkRequiredTag = (version: ModelVersion, required: RequiredTag): string | undefined => {
  const found = version.tags.find((tag) => tag.key === required.key);
  if (found?.value === required.value) return undefined;
  const rule = `required tag ${required.key} = ${required.value} is missing`;
  return found === undefined ? rule : `${rule} (found: ${found.value})`;
};

/** What the version's source run is: loaded, absent from the version, or gone from the tracking store. */
export type SourceRun = { kind: "run"; run: Run } | { kind: "no-run" } | { kind: "run-not-found"; runId: string };

export const checkMetricThreshold = (source: SourceRun, threshold: MetricThreshold): string | undefined => {
  const rule = `metrics.${threshold.metric} ${threshold.comparator} ${threshold.value} not met`;
  if (source.kind === "no-run") return `${rule} (the version has no source run)`;
  if (source.kind === "run-not-found") return `${rule} (source run ${source.runId} not found)`;
  const metric = source.run.data.metrics.find((candidate) => candidate.key === threshold.metric);
  if (metric === undefined) return `${rule} (run ${source.run.info.run_id} has no metric ${threshold.metric})`;
  return compare[threshold.comparator](metric.value, threshold.value) ? undefined : `${rule} (run value ${metric.value})`;
};

export const checkApprovals = (rule: PromotionRule, approvals: readonly Approval[]): string | undefined => {
  const needed = rule.requiredApprovals;
  if (approvals.length >= needed) return undefined;
  const by = approvals.length === 0 ? "" : ` (by ${approvals.map((approval) => approval.actor.name).join(", ")})`;
  return `${needed} ${needed === 1 ? "approval" : "approvals"} needed, ${approvals.length} given${by}`;
};
