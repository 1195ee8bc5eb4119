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

/**
 * The one spelling of a person for governance decisions: names are declared by clients, so "Ada", " ada" and the
 * full-width "ａｄａ" are one person when self-approval is judged and when distinct approvers are counted.
 */
export const normalizeActorName = (name: string): string => name.normalize("NFKC").trim().toLowerCase();

/**
 * Counts the standing approvals of distinct people (one person approving under two spellings counts once). When the
 * rule forbids self-approval, approvals by `authors` (the version's creator, its run's user) never count, whenever
 * they were given: the rule may have been set after the approval.
 */
export const checkApprovals = (
  rule: PromotionRule,
  approvals: readonly Approval[],
  authors: readonly string[] = [],
): string | undefined => {
  const needed = rule.requiredApprovals;
  const excluded = new Set(rule.forbidSelfApproval ? authors.map(normalizeActorName).filter((name) => name !== "") : []);
  const counted = new Map<string, string>();
  const self = new Map<string, string>();
  for (const approval of approvals) {
    const person = normalizeActorName(approval.actor.name);
    const into = excluded.has(person) ? self : counted;
    if (!into.has(person)) into.set(person, approval.actor.name.trim());
  }
  if (counted.size >= needed) return undefined;
  const by = counted.size === 0 ? "" : ` (by ${[...counted.values()].join(", ")})`;
  const selfNote = self.size === 0 ? "" : `; self-approval by ${[...self.values()].join(", ")} does not count`;
  return `${needed} ${needed === 1 ? "approval" : "approvals"} needed, ${counted.size} given${by}${selfNote}`;
};
