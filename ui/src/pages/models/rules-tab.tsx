import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { ruleConditions } from "./promotion-check";
import { listRules, registryKeys } from "./registry-api";
import type { PromotionRuleWire } from "./registry-wire";
import { actorName } from "./text";

export const usePromotionRules = (name: string) =>
  useQuery({ queryKey: registryKeys.rules(name), queryFn: ({ signal }) => listRules(name, signal) });

/** "alias:champion" -> "alias @champion", "stage:Production" -> "stage Production". */
export const targetLabel = (target: string): string => {
  const colon = target.indexOf(":");
  const kind = target.slice(0, colon);
  const rest = target.slice(colon + 1);
  return kind === "alias" ? `alias @${rest}` : kind === "stage" ? `stage ${rest}` : target;
};

const RuleCard = ({ rule }: { rule: PromotionRuleWire }): ReactNode => {
  const conditions = ruleConditions(rule);
  return (
    <article className="card" aria-label={`Rule for ${targetLabel(rule.target)}`}>
      <h2>Promotion to {targetLabel(rule.target)}</h2>
      {conditions.length === 0 ? (
        <p className="muted">No conditions: any version may be promoted.</p>
      ) : (
        <>
          <p className="muted">A version is promoted only when all of these hold:</p>
          <ul className="rule-list">
            {conditions.map((condition) => (
              <li key={condition}>{condition}</li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">
        Set by {actorName(rule.updated_by)} on {formatTime(rule.updated_time)}.
      </p>
    </article>
  );
};

/** The model's promotion rules, read-only: they are set with `cairn models rules` or the SDK. */
export const RulesTab = ({ name }: { name: string }): ReactNode => {
  const rules = usePromotionRules(name);
  if (rules.isPending) return <Loading what="promotion rules" />;
  return (
    <>
      <ErrorBanner error={rules.error} what="the promotion rules" />
      {rules.data?.length === 0 ? <Empty>No promotion rules: any version may take any alias or stage.</Empty> : null}
      {rules.data?.map((rule) => <RuleCard key={rule.target} rule={rule} />)}
    </>
  );
};
