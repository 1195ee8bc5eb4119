import type { PromotionRuleWire, PromotionVerdict } from "./registry-wire";

/**
 * The promotion check answers only the unmet conditions, one sentence each (src/registry/promotion/rule-checks.ts
 * writes them and pins their wording). The page shows every condition of the target's rule, passed or failed: a
 * condition failed when an unmet sentence starts with that condition's own wording, and the sentence is its reason.
 */

export interface ConditionResult {
  /** "Tag validation = passed", "accuracy >= 0.9", "2 approvals". */
  condition: string;
  passed: boolean;
  /** The server's sentence for a failed condition. */
  reason?: string;
}

export interface CheckRendering {
  allowed: boolean;
  /** False when no rule guards the target: any version may be promoted to it. */
  guarded: boolean;
  conditions: ConditionResult[];
}

interface Condition {
  condition: string;
  /** How the server's unmet sentence for this condition begins. */
  prefix: string;
}

const conditionsOf = (rule: PromotionRuleWire): Condition[] => [
  ...rule.required_tags.map(({ key, value }) => ({ condition: `Tag ${key} = ${value}`, prefix: `required tag ${key} = ${value} is missing` })),
  ...rule.metric_thresholds.map(({ metric, comparator, value }) => ({
    condition: `${metric} ${comparator} ${value}`,
    prefix: `metrics.${metric} ${comparator} ${value} not met`,
  })),
  ...(rule.required_approvals > 0
    ? [
        {
          condition: `${rule.required_approvals} ${rule.required_approvals === 1 ? "approval" : "approvals"}`,
          prefix: `${rule.required_approvals} ${rule.required_approvals === 1 ? "approval" : "approvals"} needed,`,
        },
      ]
    : []),
];

export const renderCheck = (rule: PromotionRuleWire | undefined, verdict: PromotionVerdict): CheckRendering => {
  const unclaimed = [...verdict.unmet];
  const conditions: ConditionResult[] = (rule ? conditionsOf(rule) : []).map(({ condition, prefix }) => {
    const index = unclaimed.findIndex((sentence) => sentence.startsWith(prefix));
    if (index < 0) return { condition, passed: true };
    const [reason] = unclaimed.splice(index, 1);
    return { condition, passed: false, ...(reason === undefined ? {} : { reason }) };
  });
  // A sentence no listed condition claims (the rule changed between the two reads) is still a failure to show.
  for (const reason of unclaimed) conditions.push({ condition: "Other condition", passed: false, reason });
  return { allowed: verdict.allowed, guarded: rule !== undefined || verdict.unmet.length > 0, conditions };
};

/** A rule's conditions in words, for the read-only rules list. */
export const ruleConditions = (rule: PromotionRuleWire): string[] => conditionsOf(rule).map(({ condition }) => condition);
